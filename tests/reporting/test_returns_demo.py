"""The returns demo tells the stories its comments tell: each filing ends in the state its
story says, with the warning it was given and no other."""

import pytest

from portal import demo as portal_demo
from reporting import demo
from reporting.models import Filing, FilingStatus

pytestmark = pytest.mark.django_db


def _issues(filing: Filing) -> set[str]:
    return set(filing.hits.exclude(severity="note").values_list("code", flat=True))


def test_each_demo_filing_is_in_the_state_its_story_says():
    portal_demo.load_demo()
    demo.load_demo()

    by_name = {f.original_name: f for f in Filing.objects.all()}
    assert by_name["cib-v2.xlsx"].status == FilingStatus.ACCEPTED
    assert _issues(by_name["cib-v2.xlsx"]) == {"SL-Q201"}
    # Quanzhou Bank's second version: a warning waiting for the approver's confirmation.
    qzb = by_name["qzb-v2.xlsx"]
    assert qzb.status == FilingStatus.NEEDS_CONFIRMATION, _issues(qzb)
    assert by_name["picc.xlsx"].status == FilingStatus.VALID
    assert _issues(by_name["picc.xlsx"]) == set()
    assert by_name["gulou.xlsx"].status == FilingStatus.SUBMITTED
    assert _issues(by_name["gulou.xlsx"]) == set()
