"""The demo jurisdiction's dashboard shows real figures at once, with targets met and missed."""

from unittest import mock

import pytest

from portal import demo as portal_demo
from portal.models import Office
from reporting import demo as returns_demo
from reporting.models import Filing
from supervision.dashboards import demo as dashboards_demo
from supervision.dashboards import figures
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

    filed = Filing.objects.count()
    dashboards_demo.load_demo()
    assert Filing.objects.count() == filed
