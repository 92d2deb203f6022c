"""The audit trail read as sentences in the reader's language, its changes as "field: before →
after", its filter a choice of the actions present; and no English fragment in a Chinese
message built at run time (the credit-code check)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from portal import audit, audit_text
from portal.identifiers import check_credit_code
from supervision.complaints.models import ComplaintStatus
from supervision.escalation.models import ActionKind, EventVerb

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _recorded_verbs() -> set[str]:
    """The verbs the code records: the literals given to ``audit.record``, and the expansions
    of the three verbs built from a status or kind."""
    found: set[str] = set()
    for path in [*ROOT.glob("portal/**/*.py"), *ROOT.glob("reporting/**/*.py")]:
        found |= _literals(path.read_text())
    for path in ROOT.glob("supervision/**/*.py"):
        found |= _literals(path.read_text())
    found |= {f"complaint_{s}" for s in ComplaintStatus.values}
    found |= {f"escalation.{k}" for k in ActionKind.values}
    found |= {f"escalation.{v}" for v in (EventVerb.REMEDY_ACCEPTED, EventVerb.REMEDY_REJECTED)}
    return found


def _literals(source: str) -> set[str]:
    """The first string of each call: the verb (an f-string, built at run time, is skipped)."""
    calls = re.findall(r"(?:audit\.record|_audit_second_factor)\(([^()]*)", source)
    firsts = [m.group(1) for call in calls if (m := re.search(r'(?<!f)"([^"]*)"', call))]
    return {verb for verb in firsts if re.fullmatch(r"[a-z_]+(\.[a-z_]+)?", verb)}


def test_every_verb_the_code_records_has_words():
    verbs = _recorded_verbs()
    assert "filing.accepted" in verbs and "complaint_answered" in verbs
    missing = sorted(v for v in verbs if v not in audit_text.VERBS)
    assert not missing, f"give these audit verbs words in portal/audit_text.py: {missing}"


def test_the_trail_reads_as_sentences_with_changes_in_chinese(matrix, client_for):
    head = matrix.users["p1_head"]
    audit.record(head, "complaint_answered", matrix.city1, {"status": ["filed", "answered"]})
    page = client_for(head).get(reverse("audit-list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert "答复了投诉：" in text
    assert "状态: filed → answered" in text
    assert "complaint_answered" not in text.split("<tbody>")[1]
    assert "{'status'" not in text


def test_the_filter_offers_the_actions_present_by_name(matrix, client_for):
    head = matrix.users["p1_head"]
    audit.record(head, "filing.accepted", matrix.city1)
    client = client_for(head)
    page = client.get(reverse("audit-list")).content.decode()
    select = page.split('data-testid="verb-filter"')[1].split("</select>")[0]
    assert '<option value="filing.accepted">accepted a filing</option>' in select
    chosen = client.get(reverse("audit-list"), {"verb": "filing.accepted"}).content.decode()
    rows = re.findall(r'<td data-testid="event">([^<]+)</td>', chosen)
    assert rows and all("accepted a filing" in row for row in rows)


def test_a_credit_code_error_is_chinese_through_and_through():
    check = check_credit_code("91350100M000100Y44")
    assert check.error == "check character is 4, expected 3"  # the loading reports' English
    with translation.override("zh-hans"):
        assert check.message == "校验码为 4，应为 3"
        assert not re.search(r"[A-Za-z]{3,}", check_credit_code("9135").message)


def test_the_complaint_form_says_a_bad_credit_code_in_chinese(matrix, client_for):
    page = client_for(matrix.users["owner_a"]).post(
        reverse("complaint-file"),
        {"enterprise_credit_code": "91350100M000100Y44"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    text = page.content.decode()
    assert "统一社会信用代码无效：校验码为 4，应为 3" in text
    assert "check character" not in text
