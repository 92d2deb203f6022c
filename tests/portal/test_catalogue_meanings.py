"""Words with two meanings, and no English inside Chinese (issue 20): the catalogue separates
each English word the portal uses in two meanings by context (``pgettext``), each meaning with
its own Chinese, and Chinese pages built at run time (messages filled with values, the audit
trail's sentences, form errors) carry no English word."""

import re
from collections import defaultdict
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from portal import audit
from portal.models import User
from supervision.complaints.models import ComplaintStatus

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# English the portal uses in more than one meaning: each meaning's context (None: without
# one) and its Chinese. A context given to a new word must be declared here with both
# meanings. Two contexts are namespaces, not meanings: "audit field" names the audit trail's
# fields, "task" the words of a filing's task list.
HOMONYMS: dict[str, dict[str | None, str]] = {
    "Return": {None: "报表", "decision": "退回"},
    "Returns": {None: "报表报送", "menu group": "报表", "menu": "报送情况"},
    "Address": {None: "地址", "network": "IP 地址"},
    "address": {None: "地址", "network": "IP 地址"},
    "Open": {None: "开放状态", "escalation case": "待处理"},
    "Answer": {None: "答复", "sum": "计算结果"},
    "What happened": {None: "投诉事项", "audit": "事件"},
    "Complaints": {None: "投诉", "menu group": "投诉", "menu": "投诉处理"},
}
NAMESPACES = {"audit field", "task"}


def _entries() -> dict[str, dict[str | None, str]]:
    """Each msgid's translations by context (singular messages; the header left out)."""
    found: dict[str, dict[str | None, str]] = defaultdict(dict)
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue
        context = re.search(r'^msgctxt "(.*)"$', block, re.M)
        msgid = re.search(r'^msgid "(.*)"$', block, re.M)
        msgstr = re.search(r'^msgstr "(.*)"$', block, re.M)
        if msgid and msgid.group(1) and msgstr:
            found[msgid.group(1)][context.group(1) if context else None] = msgstr.group(1)
    return found


def test_each_word_with_two_meanings_has_a_chinese_word_for_each():
    entries = _entries()
    for english, meanings in HOMONYMS.items():
        assert entries[english] == meanings, english
        assert len(set(meanings.values())) > 1, f"{english}: its meanings read the same"


def test_every_word_given_a_context_is_declared_with_its_meanings():
    entries = _entries()
    separated = {
        english
        for english, translations in entries.items()
        if len([c for c in translations if c not in NAMESPACES]) > 1
    }
    assert separated == set(HOMONYMS)


# English a Chinese page may carry: codes and names that have no Chinese (upper-case
# abbreviations such as API, LPR or SME-LOANS are allowed as they are).
KEPT = {"Excel", "xlsx", "csv", "pdf", "png", "jpg", "jpeg"}
ENGLISH_WORD = re.compile(r"(?<![\w./-])[A-Za-z][a-z]{2,}(?![\w/])")
RAW_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")  # an event code, complaint_answered


def _english_words(html: str, data: list[str]) -> set[str]:
    """The English words of the page's main content, leaving out ``data`` (what people
    typed: the test users' names), e-mail addresses and file names."""
    found = re.search(r"<main\b[^>]*>(.*?)</main>", html, re.S)
    assert found
    main = re.sub(r"<(script|style|code|kbd)\b.*?</\1>", " ", found.group(1), flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", " ", main))
    for typed in data:
        text = text.replace(typed, " ")
    text = re.sub(r"\S+@\S+|\S+\.(?:xlsx|csv|pdf|png|jpe?g)\b", " ", text)
    words = ENGLISH_WORD.findall(text) + RAW_CODE.findall(text)
    return {word for word in words if word not in KEPT}


CHINESE_PAGES = {
    # page: (reader, its address, what is posted to it or None)
    "home": ("p1_head", lambda m: "/", None),
    "complaint form sent empty": ("owner_a", lambda m: reverse("complaint-file"), {}),
    "complaint form with a bad credit code": (
        "owner_a",
        lambda m: reverse("complaint-file"),
        {"enterprise_credit_code": "91350100M000100Y44", "contact_phone": "12"},
    ),
    "return request": ("bank_a", lambda m: reverse("request-detail", args=[m.request_a.pk]), None),
    "filing report": ("bank_a", lambda m: reverse("filing-detail", args=[m.filing_a.pk]), None),
    "complaint": (
        "complainant_a",
        lambda m: reverse("complaint-detail", args=[m.complaint_a1.pk]),
        None,
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(CHINESE_PAGES))
def test_chinese_pages_built_at_run_time_carry_no_english_word(matrix, client_for, name):
    user_key, url, posted = CHINESE_PAGES[name]
    address = url(matrix)  # first: a complaint brings its complainant into the matrix
    client = client_for(matrix.users[user_key])
    if posted is None:
        page = client.get(address, HTTP_ACCEPT_LANGUAGE="zh-hans")
    else:
        page = client.post(address, posted, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    names = [user.full_name for user in User.objects.exclude(full_name="")]
    assert _english_words(page.content.decode(), names) == set(), name


@pytest.mark.django_db
def test_the_chinese_audit_trail_names_a_status_change_in_chinese(matrix, client_for):
    complaint = matrix.complaint_a1
    audit.record(
        matrix.users["branch_a1"],
        "complaint_answered",
        complaint,
        {"status": [ComplaintStatus.ACKNOWLEDGED, ComplaintStatus.ANSWERED]},
    )
    page = client_for(matrix.users["p1_head"]).get(
        reverse("audit-list"), {"verb": "complaint_answered"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    body = page.content.decode()
    assert "状态: 机构已受理 → 已答复，待投诉人确认" in body
    names = [user.full_name for user in User.objects.exclude(full_name="")]
    # The matrix's own event has a verb no capability records (tests/matrix.py), offered in
    # the filter as its code.
    assert _english_words(body, [*names, matrix.audit_event_p1.verb]) == set()
