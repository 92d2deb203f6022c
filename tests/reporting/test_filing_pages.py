"""The filing pages: upload, progress, the validation report and its downloads, signing, the
reviewer's decision, the request list and page, and reopening a closed period."""

import csv
import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from portal.models import OutboxMessage, Role
from reporting import pipeline, worklist
from reporting.models import Filing, FilingStatus, WarningConfirmation
from reporting.spec import HEADER_ROWS
from reporting.specs import get_spec
from reporting.views import filings as filing_views
from reporting.views import requests as request_views
from reporting.workbooks import ERROR_FILL, XLSX_CONTENT_TYPE, build_template
from tests import factories as f
from tests.reporting.returns import loan_row

pytestmark = pytest.mark.django_db

LOANS = get_spec("SME-LOANS", "2025")


def workbook_bytes(rows: list[dict]) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(build_template(LOANS)))
    sheet = wb[LOANS.sheet]
    for offset, row in enumerate(rows):
        for index, key in enumerate(LOANS.column_keys, start=1):
            if key in row:
                sheet.cell(HEADER_ROWS + 1 + offset, index, row[key])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# One error (SL-V101: credit balance above the SME balance, cell I3) and one warning (SL-Q201:
# a rate entered as a fraction, cell M4).
DEFECTIVE = [loan_row("350102", credit_balance=5000), loan_row("350121", issued_rate=0.04)]
WARNED = [loan_row("350102"), loan_row("350121", issued_rate=0.04)]


@pytest.fixture
def bank(matrix):
    return matrix.bank_a


@pytest.fixture
def preparer(matrix):
    return matrix.users["bank_a"]


@pytest.fixture
def approver(bank):
    return f.member(Role.APPROVER, institution=bank)


@pytest.fixture
def reviewer(matrix):
    return matrix.users["p1_head"]


@pytest.fixture
def request_a(bank):
    return f.ReturnRequestFactory(
        institution=bank, period="2025Q3", due_date=timezone.localdate() + timedelta(days=20)
    )


def _upload(client, req, content: bytes, *, name="loans.xlsx", check_only=False, **extra):
    data = {"action": "upload", "declared_size": len(content), **extra}
    if check_only:
        data["check_only"] = "on"
    data["file"] = SimpleUploadedFile(name, content, content_type=XLSX_CONTENT_TYPE)
    return client.post(reverse("request-detail", args=[req.pk]), data)


def _validated(client, req, rows, **options) -> Filing:
    """Upload ``rows`` and run the worker's pipeline on the filing, as the queued task would."""
    response = _upload(client, req, workbook_bytes(rows), **options)
    assert response.status_code == 302, response.content.decode()[:2000]
    filing = Filing.objects.latest("pk")
    pipeline.run(filing.pk)
    filing.refresh_from_db()
    return filing


def _page(client, filing, **params) -> str:
    response = client.get(reverse("filing-detail", args=[filing.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


# -- upload and progress -------------------------------------------------------------------


def test_preparer_uploads_and_is_sent_to_the_filing_while_it_is_validated(
    client_for, preparer, request_a, django_capture_on_commit_callbacks
):
    client = client_for(preparer)
    content = workbook_bytes(DEFECTIVE)
    with django_capture_on_commit_callbacks() as callbacks:
        response = _upload(client, request_a, content)
    filing = Filing.objects.get(request=request_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("filing-detail", args=[filing.pk])
    assert callbacks  # the validation task, sent on commit
    assert OutboxMessage.objects.get(task="reporting.tasks.validate_filing").args == [filing.pk]
    assert (filing.version, filing.size, filing.check_only) == (1, len(content), False)
    assert filing.status == FilingStatus.RECEIVED

    body = _page(client, filing)
    progress_url = reverse("filing-progress", args=[filing.pk])
    assert f'hx-get="{progress_url}"' in body and 'hx-trigger="every 1s"' in body

    pipeline.run(filing.pk)  # what the worker does with the queued task
    body = _page(client, filing)
    assert "hx-trigger" not in body
    assert "SL-V101" in body and "SL-Q201" in body
    assert "/returns/specs/SME-LOANS/2025/#rule-SL-V101" in body
    assert "<code>I3</code>" in body and "<code>M4</code>" in body
    assert "5000" in body


def test_the_report_follows_the_active_language(client_for, preparer, request_a, settings):
    client = client_for(preparer)
    filing = _validated(client, request_a, DEFECTIVE)
    rule = LOANS.rules[0]
    assert rule.code == "SL-V101"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = _page(client, filing)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    zh = _page(client, filing)
    assert escape(rule.hint_en) in en and escape(rule.hint_zh) not in en
    assert escape(rule.hint_zh) in zh and escape(rule.hint_en) not in zh
    assert "Credit (unsecured) loan balance" in en and "信用贷款余额" in zh


def test_progress_partial_polls_until_done_and_says_when_the_worker_was_lost(
    client_for, preparer, request_a
):
    client = client_for(preparer)
    filing = f.FilingFactory(
        request=request_a,
        status=FilingStatus.VALIDATING,
        phase="checking",
        progress=50,
        requeued=1,
    )
    url = reverse("filing-progress", args=[filing.pk])
    body = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in body and 'value="50"' in body
    assert "re-queued" in body

    Filing.objects.filter(pk=filing.pk).update(status=FilingStatus.VALID, phase="done")
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    plain = client.get(url).content.decode()  # without htmx: the final state, no polling
    assert "hx-trigger" not in plain


def test_report_filters_by_severity_class_and_column(client_for, preparer, request_a):
    client = client_for(preparer)
    filing = _validated(client, request_a, DEFECTIVE)
    assert filing.status == FilingStatus.REJECTED
    assert filing.error_count == 1 and filing.warning_count == 1

    warnings = _page(client, filing, severity="warning")
    assert 'id="hit-SL-Q201"' in warnings and 'id="hit-SL-V101"' not in warnings
    quality = _page(client, filing, **{"class": "quality"})
    assert 'id="hit-SL-Q201"' in quality and 'id="hit-SL-V101"' not in quality
    column = _page(client, filing, column="credit_balance")
    assert 'id="hit-SL-V101"' in column and 'id="hit-SL-Q201"' not in column
    nonsense = _page(client, filing, severity="<script>", column="nope")
    assert 'id="hit-SL-V101"' in nonsense and 'id="hit-SL-Q201"' in nonsense


def test_downloads_carry_the_issues_and_the_original(client_for, preparer, request_a):
    client = client_for(preparer)
    content = workbook_bytes(DEFECTIVE)
    _upload(client, request_a, content)
    filing = Filing.objects.get(request=request_a)
    pipeline.run(filing.pk)

    original = client.get(reverse("filing-file", args=[filing.pk]))
    assert b"".join(original.streaming_content) == content
    assert "loans.xlsx" in original["Content-Disposition"]

    response = client.get(reverse("filing-issues-xlsx", args=[filing.pk]))
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("规则代码") and "Rule" in rows[0][0]
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["SL-V101"][4] == "I3" and by_code["SL-Q201"][4] == "M4"

    response = client.get(reverse("filing-issues-csv", args=[filing.pk]))
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    # causes first; the note says the first quarter had no accepted Q4 to compare with
    assert [line[0] for line in lines[1:]][:2] == ["SL-V101", "SL-Q201"]
    assert {line[0] for line in lines[1:]} == {"SL-V101", "SL-Q201", "N002"}

    response = client.get(reverse("filing-annotated", args=[filing.pk]))
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    annotated = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cell = annotated[LOANS.sheet]["I3"]
    assert cell.value == 5000 and cell.fill.fgColor.rgb.endswith(ERROR_FILL.fgColor.rgb[-6:])
    assert "SL-V101" in cell.comment.text


def test_a_very_large_filing_is_not_annotated(client_for, preparer, request_a):
    filing = f.FilingFactory(request=request_a, row_count=filing_views.ANNOTATE_MAX_ROWS + 1)
    client = client_for(preparer)
    response = client.get(reverse("filing-annotated", args=[filing.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("filing-detail", args=[filing.pk])
    assert "too many to annotate" in response.content.decode()


def test_a_file_that_is_no_workbook_is_reported_not_annotated(client_for, preparer, request_a):
    client = client_for(preparer)
    _upload(client, request_a, b"name,amount\nx,1\n", name="loans.csv")
    filing = Filing.objects.get(request=request_a)
    pipeline.run(filing.pk)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.REJECTED
    assert "S001" in _page(client, filing)
    response = client.get(reverse("filing-annotated", args=[filing.pk]), follow=True)
    assert "cannot be opened as a workbook" in response.content.decode()


# -- check only, cut-off uploads, closed periods ---------------------------------------------


def test_a_check_only_upload_is_a_trial_that_regulators_never_see(
    client_for, preparer, reviewer, request_a
):
    client = client_for(preparer)
    filing = _validated(client, request_a, WARNED, check_only=True)
    assert filing.check_only and filing.version == 0
    assert filing.status == FilingStatus.NEEDS_CONFIRMATION
    body = _page(client, filing)
    assert 'data-testid="trial"' in body and "nothing was filed" in body
    assert 'id="sign"' not in body
    regulator = client_for(reviewer)
    assert regulator.get(reverse("filing-detail", args=[filing.pk])).status_code == 404


def test_an_upload_cut_off_in_transit_asks_to_upload_again(client_for, preparer, request_a):
    client = client_for(preparer)
    content = workbook_bytes(WARNED)
    boundary = "----cut-off-boundary"
    head = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in (("action", "upload"), ("declared_size", len(content)))
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="loans.xlsx"\r\nContent-Type: {XLSX_CONTENT_TYPE}\r\n\r\n'
    )
    body = head.encode() + content[: len(content) // 2]  # the connection dropped mid-file
    response = client.post(
        reverse("request-detail", args=[request_a.pk]),
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "did not arrive complete" in text and "damaged" not in text
    assert not Filing.objects.filter(request=request_a).exists()


def test_a_file_shorter_than_announced_asks_to_upload_again(client_for, preparer, request_a):
    content = workbook_bytes(WARNED)
    response = _upload(client_for(preparer), request_a, content[:-100], declared_size=len(content))
    assert response.status_code == 200
    assert "did not arrive complete" in response.content.decode()
    assert not Filing.objects.filter(request=request_a).exists()


def test_an_unreadable_body_asks_to_upload_again(preparer, request_a):
    class Broken(io.BytesIO):
        def read(self, *args):
            raise OSError("connection reset by peer")

    request = RequestFactory().post(
        reverse("request-detail", args=[request_a.pk]),
        data=b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
    )
    request._stream = Broken()
    request.user = preparer
    with translation.override("en"):  # no middleware here: the English page, as elsewhere
        response = request_views.request_detail(request, pk=request_a.pk)
    assert response.status_code == 200
    assert "did not arrive complete" in response.content.decode()
    assert not Filing.objects.filter(request=request_a).exists()


def test_a_closed_period_refuses_a_filing_but_allows_a_trial(client_for, preparer, request_a):
    request_a.closed_at = timezone.now()
    request_a.save()
    client = client_for(preparer)
    response = _upload(client, request_a, workbook_bytes(WARNED))
    assert response.status_code == 200
    assert "This period is closed" in response.content.decode()
    assert not Filing.objects.filter(request=request_a).exists()
    response = _upload(client, request_a, workbook_bytes(WARNED), check_only=True)
    assert response.status_code == 302
    assert Filing.objects.get(request=request_a).check_only


# -- signing -------------------------------------------------------------------------------


def test_approver_signs_with_every_warning_confirmed_and_gets_a_receipt(
    client_for, preparer, approver, request_a
):
    filing = _validated(client_for(preparer), request_a, WARNED)
    assert filing.status == FilingStatus.NEEDS_CONFIRMATION
    client = client_for(approver)
    body = _page(client, filing)
    assert 'id="sign"' in body and 'name="confirm_SL-Q201"' in body
    url = reverse("filing-detail", args=[filing.pk])

    refused = client.post(url, {"action": "sign"})
    assert refused.status_code == 200
    assert "Confirm every warning" in refused.content.decode()
    filing.refresh_from_db()
    assert filing.status == FilingStatus.NEEDS_CONFIRMATION and not filing.receipt_number

    response = client.post(
        url,
        {"action": "sign", "confirm_SL-Q201": "on", "reason_SL-Q201": "贴息贷款，利率确实很低"},
        follow=True,
    )
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED and filing.signed_by == approver
    assert filing.receipt_number and filing.receipt_number in response.content.decode()
    confirmation = WarningConfirmation.objects.get(filing=filing)
    assert (confirmation.code, confirmation.reason) == ("SL-Q201", "贴息贷款，利率确实很低")


def test_a_preparer_may_not_sign_and_an_outsider_gets_404(client_for, preparer, matrix, request_a):
    filing = _validated(client_for(preparer), request_a, [loan_row()])
    assert filing.status == FilingStatus.VALID
    url = reverse("filing-detail", args=[filing.pk])
    assert 'id="sign"' not in _page(client_for(preparer), filing)
    assert client_for(preparer).post(url, {"action": "sign"}).status_code == 403
    assert client_for(matrix.users["bank_b"]).post(url, {"action": "sign"}).status_code == 404
    filing.refresh_from_db()
    assert filing.status == FilingStatus.VALID


# -- the reviewer's decision ---------------------------------------------------------------


@pytest.fixture
def submitted(client_for, preparer, approver, request_a) -> Filing:
    filing = _validated(client_for(preparer), request_a, [loan_row()])
    client_for(approver).post(reverse("filing-detail", args=[filing.pk]), {"action": "sign"})
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED
    return filing


def test_reviewer_accepts_and_the_filing_becomes_current(client_for, reviewer, submitted):
    client = client_for(reviewer)
    assert 'id="review"' in _page(client, submitted)
    url = reverse("filing-detail", args=[submitted.pk])
    response = client.post(url, {"action": "decide", "decision": "accept"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == FilingStatus.ACCEPTED and submitted.is_current
    assert submitted.reviewed_by == reviewer


def test_returning_needs_a_comment(client_for, reviewer, submitted):
    client = client_for(reviewer)
    url = reverse("filing-detail", args=[submitted.pk])
    response = client.post(url, {"action": "decide", "decision": "return", "comment": "  "})
    assert response.status_code == 200
    assert "Say what the bank must correct" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == FilingStatus.SUBMITTED
    client.post(url, {"action": "decide", "decision": "return", "comment": "第 3 行县代码有误"})
    submitted.refresh_from_db()
    assert submitted.status == FilingStatus.RETURNED
    assert submitted.review_comment == "第 3 行县代码有误"


def test_a_viewer_may_see_but_not_decide(client_for, matrix, reviewer, submitted):
    viewer = f.member(Role.VIEWER, office=matrix.p1)
    client = client_for(viewer)
    assert 'id="review"' not in _page(client, submitted)
    url = reverse("filing-detail", args=[submitted.pk])
    assert client.post(url, {"action": "decide", "decision": "accept"}).status_code == 403
    other = client_for(matrix.users["p2_head"])
    assert other.post(url, {"action": "decide", "decision": "accept"}).status_code == 404


# -- request list and page -----------------------------------------------------------------


def test_request_page_shows_the_history_of_versions_and_decisions(
    client_for, preparer, approver, reviewer, request_a, submitted
):
    client_for(reviewer).post(
        reverse("filing-detail", args=[submitted.pk]),
        {"action": "decide", "decision": "return", "comment": "请补充县代码"},
    )
    second = _validated(client_for(preparer), request_a, WARNED)
    assert second.version == 2
    body = client_for(preparer).get(reverse("request-detail", args=[request_a.pk])).content
    body = body.decode()
    assert reverse("spec-template", args=["SME-LOANS", "2025"]) in body
    assert 'name="file"' in body and 'name="check_only"' in body
    assert 'name="declared_size"' in body and "reporting/upload.js" in body
    for filing in (submitted, second):
        filing.refresh_from_db()
        assert reverse("filing-detail", args=[filing.pk]) in body
        assert filing.sha256[:12] in body
    assert submitted.receipt_number in body and "请补充县代码" in body
    assert 'id="reopen"' not in body
    # An approver may upload too; a regulator may not.
    assert (
        'id="upload"'
        in client_for(approver).get(reverse("request-detail", args=[request_a.pk])).content.decode()
    )
    regulator = client_for(reviewer).get(reverse("request-detail", args=[request_a.pk]))
    assert 'id="upload"' not in regulator.content.decode()


def test_bank_request_list_puts_open_requests_first(client_for, matrix, preparer, bank):
    today = timezone.localdate()
    closed = f.ReturnRequestFactory(
        institution=bank,
        period="2024Q4",
        due_date=today + timedelta(days=1),
        closed_at=timezone.now(),
    )
    later = f.ReturnRequestFactory(
        institution=bank, period="2025Q4", due_date=today + timedelta(days=90)
    )
    sooner = f.ReturnRequestFactory(
        institution=bank, period="2025Q2", due_date=today + timedelta(days=5)
    )
    body = client_for(preparer).get(reverse("request-list")).content.decode()
    positions = [
        body.index(reverse("request-detail", args=[r.pk])) for r in (sooner, later, closed)
    ]
    assert positions == sorted(positions)
    assert reverse("filing-detail", args=[matrix.filing_a.pk]) in body  # latest filing, linked
    assert matrix.bank_b.name_zh not in body


def test_regulator_request_list_shows_completeness_and_filters(client_for, matrix):
    yesterday = timezone.localdate() - timedelta(days=1)
    overdue = f.ReturnRequestFactory(
        institution=matrix.bank_a, spec_code="SME-INSURANCE", period="2025Q2", due_date=yesterday
    )
    client = client_for(matrix.users["p1_head"])
    body = client.get(reverse("request-list")).content.decode()
    for req in (matrix.request_a, matrix.request_a1, matrix.request_a2, overdue):
        assert reverse("request-detail", args=[req.pk]) in body
    assert reverse("request-detail", args=[matrix.request_b.pk]) not in body
    assert matrix.bank_b.name_zh not in body

    late = client.get(reverse("request-list"), {"completeness": "late"}).content.decode()
    assert reverse("request-detail", args=[overdue.pk]) in late
    assert reverse("request-detail", args=[matrix.request_a.pk]) not in late
    by_spec = client.get(reverse("request-list"), {"spec": "SME-LOANS"}).content.decode()
    assert reverse("request-detail", args=[overdue.pk]) not in by_spec
    by_period = client.get(reverse("request-list"), {"period": "2025q2"}).content.decode()
    assert reverse("request-detail", args=[overdue.pk]) in by_period
    assert reverse("request-detail", args=[matrix.request_a.pk]) not in by_period


# -- reopening -----------------------------------------------------------------------------


def test_an_office_reopens_a_closed_period_for_one_filer(client_for, matrix, preparer, reviewer):
    req = matrix.request_a1
    req.closed_at = timezone.now()
    req.save()
    url = reverse("request-detail", args=[req.pk])
    assert 'id="reopen"' not in client_for(preparer).get(url).content.decode()
    viewer = client_for(matrix.users["county_a"])
    assert 'id="reopen"' not in viewer.get(url).content.decode()
    until = timezone.localdate() + timedelta(days=7)
    assert viewer.post(url, {"action": "reopen", "until": until, "reason": "x"}).status_code == 403

    client = client_for(reviewer)
    assert 'id="reopen"' in client.get(url).content.decode()
    refused = client.post(url, {"action": "reopen", "until": until.isoformat(), "reason": ""})
    assert refused.status_code == 200
    req.refresh_from_db()
    assert req.reopened_until is None
    response = client.post(
        url, {"action": "reopen", "until": until.isoformat(), "reason": "系统故障"}
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert (req.reopened_until, req.reopen_reason) == (until, "系统故障")
    assert req.is_open_on(timezone.localdate())


# -- issue 15: what the reviewer sees, what the filer does next -------------------------------


def _button_classes(body: str) -> dict[str, str]:
    """The class of each decision button, by its value."""
    found = re.findall(r'<button type="submit" name="decision" value="(\w+)" class="([^"]+)"', body)
    return dict(found)


def test_the_reviewer_sees_each_confirmed_warning_with_its_count_examples_and_reason(
    client_for, preparer, approver, reviewer, request_a
):
    filing = _validated(client_for(preparer), request_a, WARNED)
    client_for(approver).post(
        reverse("filing-detail", args=[filing.pk]),
        {"action": "sign", "confirm_SL-Q201": "on", "reason_SL-Q201": "贴息贷款，利率确实很低"},
    )
    body = _page(client_for(reviewer), filing)
    confirmed = body[body.index('id="confirmed"') :]
    confirmed = confirmed[: confirmed.index("</section>")]
    assert "SL-Q201" in confirmed and "贴息贷款，利率确实很低" in confirmed
    assert "<code>M4</code>" in confirmed  # the example the bank vouched for
    assert "1 time" in confirmed
    assert approver.email in confirmed or approver.full_name in confirmed
    assert "{'SL-Q201'" not in body  # never the audit trail's Python dict


def test_a_warning_confirmed_without_a_reason_says_so(
    client_for, preparer, approver, reviewer, request_a
):
    filing = _validated(client_for(preparer), request_a, WARNED)
    client_for(approver).post(
        reverse("filing-detail", args=[filing.pk]), {"action": "sign", "confirm_SL-Q201": "on"}
    )
    body = _page(client_for(reviewer), filing)
    assert "No reason given" in body[body.index('id="confirmed"') :]


def test_accept_and_return_look_different(client_for, reviewer, submitted):
    classes = _button_classes(_page(client_for(reviewer), submitted))
    assert set(classes) == {"accept", "return"}
    assert classes["accept"] != classes["return"]
    assert "button-secondary" in classes["return"]


def test_the_report_counts_say_hits_and_rules_apart(client_for, preparer, request_a):
    filing = _validated(client_for(preparer), request_a, DEFECTIVE)
    body = _page(client_for(preparer), filing)
    assert "rules broken" not in body
    assert 'data-testid="error-rules">1 rule<' in body
    assert 'data-testid="warning-rules">1 rule<' in body


def test_the_version_in_force_is_marked_and_no_upload_is_offered_after_acceptance(
    client_for, preparer, reviewer, request_a, submitted
):
    client_for(reviewer).post(
        reverse("filing-detail", args=[submitted.pk]), {"action": "decide", "decision": "accept"}
    )
    body = client_for(preparer).get(reverse("request-detail", args=[request_a.pk])).content
    body = body.decode()
    assert body.count('data-testid="in-force"') == 1
    rows = body[body.index('class="history"') :].split("<tr>")
    in_force = next(r for r in rows if reverse("filing-detail", args=[submitted.pk]) in r)
    assert 'data-testid="in-force"' in in_force
    assert 'id="upload"' not in body and 'name="file"' not in body
    assert 'data-testid="accepted-note"' in body


def test_a_superseded_version_no_longer_asks_for_its_warnings_to_be_confirmed(
    client_for, preparer, approver, request_a
):
    first = _validated(client_for(preparer), request_a, WARNED)
    second = _validated(client_for(preparer), request_a, WARNED)
    client = client_for(approver)
    old = _page(client, first)
    assert 'id="sign"' not in old
    assert 'data-testid="superseded"' in old
    assert reverse("filing-detail", args=[second.pk]) in old
    assert 'id="sign"' in _page(client, second)
    history = client.get(reverse("request-detail", args=[request_a.pk])).content.decode()
    rows = history[history.index('class="history"') :].split("<tr>")
    first_row = next(r for r in rows if reverse("filing-detail", args=[first.pk]) in r)
    assert "Warnings to confirm" not in first_row and "Superseded" in first_row
    refused = client.post(
        reverse("filing-detail", args=[first.pk]), {"action": "sign", "confirm_SL-Q201": "on"}
    )
    assert refused.status_code == 200
    first.refresh_from_db()
    assert first.status == FilingStatus.NEEDS_CONFIRMATION and not first.receipt_number
    # The home page's "awaiting signature" counts the newer version only.
    with translation.override("en"):
        awaiting = {str(item.label): item.count for item in worklist.waiting(approver)}
    assert awaiting["Validated returns awaiting signature"] == 1


NEXT_STEPS = {
    # status: (what the filer reads, the link that fixes it)
    FilingStatus.RECEIVED: ("being checked", None),
    FilingStatus.VALIDATING: ("being checked", None),
    FilingStatus.REJECTED: ("Correct the errors", "upload"),
    FilingStatus.NEEDS_CONFIRMATION: ("confirm each warning", "sign"),
    FilingStatus.VALID: ("sign and submit", "sign"),
    FilingStatus.SUBMITTED: ("awaits review", None),
    FilingStatus.ACCEPTED: ("Nothing more to do", None),
    FilingStatus.RETURNED: ("returned it", "upload"),
}


@pytest.mark.parametrize("status", list(NEXT_STEPS))
def test_the_filer_page_says_what_to_do_next_for_every_status(
    client_for, approver, request_a, status
):
    filing = f.FilingFactory(
        request=request_a,
        status=status,
        is_current=status == FilingStatus.ACCEPTED,
        review_comment="请补充县代码" if status == FilingStatus.RETURNED else "",
    )
    body = _page(client_for(approver), filing)
    step = body[body.index('data-testid="next-step"') :]
    step = step[: step.index("</div>")]
    text, link = NEXT_STEPS[status]
    assert text in step, step
    upload = reverse("request-detail", args=[request_a.pk]) + "#upload"
    if link == "upload":
        assert upload in step
    if link == "sign":
        assert 'href="#sign"' in step
    if status == FilingStatus.REJECTED:
        assert reverse("filing-issues-xlsx", args=[filing.pk]) in step
    if status == FilingStatus.RETURNED:
        assert "请补充县代码" in step


def test_the_filer_page_of_a_superseded_version_points_to_the_newer_one(
    client_for, preparer, request_a
):
    first = f.FilingFactory(request=request_a, status=FilingStatus.REJECTED)
    second = f.FilingFactory(request=request_a, status=FilingStatus.VALID)
    body = _page(client_for(preparer), first)
    step = body[body.index('data-testid="next-step"') :]
    step = step[: step.index("</div>")]
    assert f"v{second.version}" in step
    assert reverse("filing-detail", args=[second.pk]) in step


def test_a_preparer_is_told_who_signs(client_for, preparer, request_a):
    filing = f.FilingFactory(request=request_a, status=FilingStatus.VALID)
    body = _page(client_for(preparer), filing)
    step = body[body.index('data-testid="next-step"') :]
    assert "approver" in step[: step.index("</div>")]
