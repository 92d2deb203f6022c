"""The demo jurisdiction's dashboard shows real figures at once, with targets met and missed."""

from unittest import mock

import pytest

from portal import demo as portal_demo
from portal.demo import credit_code_for
from portal.models import Office, User
from reporting import demo as returns_demo
from reporting.models import Filing
from supervision.dashboards import demo as dashboards_demo
from supervision.dashboards import figures
from supervision.dashboards import notice_indicators as notices
from supervision.dashboards import panels as dashboards

pytestmark = pytest.mark.django_db


def test_the_demo_dashboard_shows_figures_with_targets_missed(django_capture_on_commit_callbacks):
    portal_demo.load_demo()
    returns_demo.load_demo()
    # Acceptance writes the lending rows on commit; scoring is the evaluation's (not run here).
    scoring = "supervision.evaluation.tasks.score_institution.delay"
    with mock.patch(scoring), django_capture_on_commit_callbacks(execute=True):
        dashboards_demo.load_demo()
    period = dashboards.default_quarter(dashboards.quarters())
    found = figures.subtree_figures(Office.objects.get(code="000000"), period)
    assert found.has_data
    assert all(row.by_key["sme_balance"].value for row in found.trend[-5:])
    for target in ("loan_growth", "borrowers", "npl_ratio"):
        assert found.missing[target] >= 1, target
    assert len(found.institutions) >= len(dashboards_demo.STORIES)

    # Weak regions are listed: the share lent there is reported, and CCB leans toward them
    # (its share above the previous year-end's) while ICBC, with no branch there, lends none.
    subtree = notices.notice_indicators(found.sums, found.basis)
    assert next(i for i in subtree if i.key == "weak_region_share").value is None  # no Weak
    user = User.objects.get(email=dashboards_demo.REVIEWER)
    page = dashboards.Subject(user, Office.objects.get(code="000000"), period)
    panel = dict((p.key, data) for p, data in dashboards.panels_for(page))
    shares = {i.key: i for i, _n, _m in panel["notices"]["indicators"]}
    assert shares["weak_region_share"].value > 0
    ranked = {
        row.institution.credit_code: values for row, values in panel["institutions"]["ranking"]
    }
    ccb = ranked[credit_code_for("ccb", "000000")]["weak_region_share"]
    assert ccb.value > ccb.reference and ccb.on_target is True
    assert ranked[credit_code_for("icbc", "000000")]["weak_region_share"].value == 0

    filed = Filing.objects.count()
    dashboards_demo.load_demo()
    assert Filing.objects.count() == filed
