"""The page of one filing: its progress while validated, the report and its downloads,
signing by an approver and the reviewer's decision.

Views are thin: rows come through ``portal.scoping`` (out of scope is a 404), state changes
go through the service functions of ``reporting.filings``. A service's ``PermissionDenied``
on a row the user can see becomes a 403 (the wrong role).
"""

import tempfile
from dataclasses import dataclass
from zipfile import BadZipFile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRefresh
from openpyxl.utils.exceptions import InvalidFileException

from portal import scoping
from portal.models import Role
from reporting import filing_state, filings
from reporting.documentation import CLASS_LABELS, SEVERITY_LABELS, lang_of, pick
from reporting.exports import (
    IssueRow,
    annotated_workbook,
    issue_list_csv,
    issue_list_xlsx,
    issue_rows,
)
from reporting.findings import render_message, render_summary
from reporting.forms import DecisionForm, SignForm
from reporting.models import Filing, FilingStatus, RuleHit, WarningConfirmation
from reporting.spec import ReturnSpec, Rule, RuleClass, Severity
from reporting.specs import get_spec
from reporting.views.specs import rule_url, spec_url
from reporting.workbooks import XLSX_CONTENT_TYPE, xlsx_response

# Examples shown per rule on the page; the downloads carry every stored example.
EXAMPLES_SHOWN = 100
# Examples shown under each warning the bank confirmed, for the reviewer's decision.
CONFIRMED_EXAMPLES = 5
# Above this many rows the annotated copy takes minutes and hundreds of megabytes to build
# and is unwieldy to open; the issue list says the same in a few kilobytes.
ANNOTATE_MAX_ROWS = 200_000
SIGNABLE = (FilingStatus.VALID, FilingStatus.NEEDS_CONFIRMATION)
PHASES = {
    "": gettext_lazy("Waiting for a worker"),
    "requeued": gettext_lazy("Waiting for a worker"),
    "opening": gettext_lazy("Opening the file"),
    "reading": gettext_lazy("Reading the rows"),
    "checking": gettext_lazy("Checking the rules"),
    "storing": gettext_lazy("Storing the result"),
    "done": gettext_lazy("Done"),
}


def reading_language() -> str:
    """'zh' or 'en': the half of the specs' bilingual texts to show."""
    return lang_of(get_language() or "zh")


# -- filing detail: progress, report, sign, decide -----------------------------------------


@dataclass
class RuleReport:
    """One broken rule on the report page, in the reader's language."""

    hit: RuleHit
    rule: Rule
    url: str
    class_label: str
    severity_label: str
    message: str
    hint: str
    examples: list[IssueRow]
    not_listed: int

    @property
    def blocks(self) -> bool:
        return self.rule.blocks


@dataclass
class _Shown:
    """The slice of a hit's examples shown on the page, in the shape ``issue_rows`` takes."""

    rule: Rule
    count: int
    examples: list


def rule_reports(
    filing: Filing,
    spec: ReturnSpec,
    lang: str,
    rule_class: str = "",
    severity: str = "",
    column: str = "",
) -> list[RuleReport]:
    """The filing's issues grouped by rule, errors first and causes before consequences,
    narrowed by class, severity and column (a rule with no example in that column drops out)."""
    hits = filing.hits.all()
    if rule_class:
        hits = hits.filter(rule_class=rule_class)
    if severity:
        hits = hits.filter(severity=severity)
    reports = []
    for hit in hits:
        rule = hit.rule
        examples = hit.examples
        if column:
            examples = [e for e in examples if (e.get("column") or "") == column]
            if not examples:
                continue
        shown = examples[:EXAMPLES_SHOWN]
        reports.append(
            RuleReport(
                hit=hit,
                rule=rule,
                url=rule_url(spec, hit.code),
                class_label=pick(CLASS_LABELS[rule.rule_class], lang),
                severity_label=pick(SEVERITY_LABELS[rule.severity], lang),
                message=_headline(rule, hit, spec, lang),
                hint=rule.hint(lang),
                examples=list(issue_rows(spec, [_Shown(rule, len(shown), shown)], lang)),
                not_listed=(hit.count if not column else len(examples)) - len(shown),
            )
        )
    reports.sort(key=lambda r: r.rule.report_order)
    return reports


@dataclass
class ConfirmedWarning:
    """A warning the bank's approver confirmed when signing: the rule, how often it fired,
    the first examples and the approver's reason, for the reviewer."""

    hit: RuleHit
    url: str
    message: str
    examples: list[IssueRow]
    not_listed: int
    confirmation: WarningConfirmation


def confirmed_warnings(filing: Filing, spec: ReturnSpec, lang: str) -> list[ConfirmedWarning]:
    """Each confirmed warning of ``filing`` in report order, with its reason."""
    hits = {hit.code: hit for hit in filing.hits.filter(severity=Severity.WARNING)}
    shown = []
    for confirmation in filing.confirmations.select_related("confirmed_by"):
        hit = hits.get(confirmation.code)
        if hit is None:
            continue
        examples = hit.examples[:CONFIRMED_EXAMPLES]
        shown.append(
            ConfirmedWarning(
                hit=hit,
                url=rule_url(spec, hit.code),
                message=_headline(hit.rule, hit, spec, lang),
                examples=list(issue_rows(spec, [_Shown(hit.rule, len(examples), examples)], lang)),
                not_listed=hit.count - len(examples),
                confirmation=confirmation,
            )
        )
    shown.sort(key=lambda c: c.hit.rule.report_order)
    return shown


def _headline(rule: Rule, hit: RuleHit, spec: ReturnSpec, lang: str) -> str:
    """The rule's message above its examples: filled in when the rule broke once (a file-level
    problem, typically), else with what its examples share, each example row saying the rest."""
    if hit.count == 1 and hit.examples:
        return render_message(rule, hit.examples[0], spec, lang)
    return render_summary(rule, hit.examples, spec, lang)


def _filing_or_404(request: HttpRequest, pk: int) -> Filing:
    return scoping.get_visible_or_404(
        request.user,
        Filing.objects.select_related(
            "request", "institution", "branch", "uploaded_by", "signed_by", "reviewed_by"
        ),
        pk=pk,
    )


@login_required
def filing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    filing = _filing_or_404(request, pk)
    user = request.user
    warning_hits = list(filing.hits.filter(severity=Severity.WARNING))
    codes = [h.code for h in warning_hits]
    sign_form = SignForm(warning_codes=codes)
    decision_form = DecisionForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "sign":
            sign_form = SignForm(request.POST, warning_codes=codes)
            if sign_form.is_valid():
                try:
                    signed = filings.filing_sign(user, filing, sign_form.confirmations())
                except ValidationError as error:
                    sign_form.add_error(None, error)
                else:
                    messages.success(
                        request,
                        _("Signed and submitted. Receipt number: %(receipt)s")
                        % {"receipt": signed.receipt_number},
                    )
                    return redirect("filing-detail", pk=filing.pk)
        elif action == "decide":
            decision_form = DecisionForm(request.POST)
            if decision_form.is_valid():
                decide = filings.filing_accept if decision_form.accept else filings.filing_return
                try:
                    decide(user, filing, decision_form.cleaned_data["comment"])
                except ValidationError as error:
                    decision_form.add_error(None, error)
                else:
                    messages.success(
                        request,
                        _("Filing accepted.") if decision_form.accept else _("Filing returned."),
                    )
                    return redirect("filing-detail", pk=filing.pk)
        else:
            raise Http404
    context = _detail_context(request, filing)
    spec, lang = context["spec"], reading_language()
    context.update(
        sign_form=sign_form,
        # The sign form lists every warning rule whatever the report's filters show.
        sign_rows=[
            (
                hit,
                render_message(hit.rule, hit.examples[0] if hit.examples else None, spec, lang),
                rule_url(spec, hit.code),
                box,
                reason,
            )
            for hit, (_code, box, reason) in zip(warning_hits, sign_form.rows(), strict=True)
        ],
        decision_form=decision_form,
    )
    return render(request, "reporting/filing_detail.html", context)


def _choice(value: str, allowed) -> str:
    return value if value in {str(a) for a in allowed} else ""


def _detail_context(request: HttpRequest, filing: Filing) -> dict:
    user, lang = request.user, reading_language()
    spec = get_spec(filing.spec_code, filing.spec_version)
    rule_class = _choice(request.GET.get("class", ""), RuleClass)
    severity = _choice(request.GET.get("severity", ""), Severity)
    column = _choice(request.GET.get("column", ""), spec.column_keys)
    reports = (
        [] if filing.is_pending else rule_reports(filing, spec, lang, rule_class, severity, column)
    )
    newer = filing_state.newest_version(user, filing)
    can_sign = (
        not filing.check_only
        and filing.status in SIGNABLE
        and newer is None
        and scoping.may_act(user, filing, Role.APPROVER)
    )
    rules_by_severity = dict(
        filing.hits.values("severity").annotate(n=Count("pk")).values_list("severity", "n")
    )
    return {
        "filing": filing,
        "spec": spec,
        "spec_title": spec.title(lang),
        "spec_url": spec_url(spec),
        "status_label": filing_state.status_label(filing, newer is not None),
        "shown_status": filing_state.shown_status(filing, newer is not None),
        "newer": newer,
        "next_step": filing_state.next_step(filing, newer, can_sign=can_sign),
        "is_filer": scoping.scope_of(user).is_bank,
        "error_rules": rules_by_severity.get(Severity.ERROR, 0),
        "warning_rules": rules_by_severity.get(Severity.WARNING, 0),
        "confirmed": confirmed_warnings(filing, spec, lang),
        "phase_label": PHASES.get(filing.phase, filing.phase),
        "reports": reports,
        "rules_total": filing.hits.count(),
        "filters": {"class": rule_class, "severity": severity, "column": column},
        "class_choices": [(c.value, pick(CLASS_LABELS[c], lang)) for c in RuleClass],
        "severity_choices": [(s.value, pick(SEVERITY_LABELS[s], lang)) for s in Severity],
        "column_choices": [
            (c.key, c.heading_en if lang == "en" else c.heading_zh) for c in spec.columns
        ],
        "too_big_to_annotate": filing.row_count > ANNOTATE_MAX_ROWS,
        "retention_days": settings.PORTAL_CHECK_ONLY_RETENTION_DAYS,
        "can_sign": can_sign,
        "can_review": filing.status == FilingStatus.SUBMITTED
        and scoping.may_act(user, filing, Role.REVIEWER),
    }


@login_required
def filing_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial that the filing page polls every second while validating; once
    done, an htmx request gets a refresh so the page shows the report."""
    filing = _filing_or_404(request, pk)
    if getattr(request, "htmx", False) and not filing.is_pending:
        return HttpResponseClientRefresh()
    return render(
        request,
        "reporting/filing_progress.html",
        {"filing": filing, "phase_label": PHASES.get(filing.phase, filing.phase)},
    )


# -- downloads -----------------------------------------------------------------------------


def _stem(filing: Filing) -> str:
    return f"{filing.spec_code}_{filing.period or 'trial'}_v{filing.version}_{filing.pk}"


@login_required
def filing_file(request: HttpRequest, pk: int) -> FileResponse:
    filing = _filing_or_404(request, pk)
    if not filing.file:
        raise Http404("This filing was sent as rows, not as a file.")
    # The content type is the file's own (a zip package is served as a workbook), never the
    # one its uploaded name suggests: a rejected upload named .html stays plain bytes.
    handle = filing.file.open("rb")
    is_package = handle.read(4) == b"PK\x03\x04"
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filing.original_name or "return.xlsx",
        content_type=XLSX_CONTENT_TYPE if is_package else "application/octet-stream",
    )


@login_required
def filing_annotated(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The upload with each offending cell coloured and commented, built on demand into a
    temporary file (memory stays flat) and streamed from it."""
    from reporting.pipeline import local_copy  # the pipeline pulls in the reader and polars

    filing = _filing_or_404(request, pk)
    if not filing.file or filing.is_pending:
        raise Http404
    if filing.row_count > ANNOTATE_MAX_ROWS:
        messages.error(
            request,
            _(
                "This filing has %(rows)s rows: too many to annotate the workbook. "
                "Download the issue list instead."
            )
            % {"rows": filing.row_count},
        )
        return redirect("filing-detail", pk=filing.pk)
    spec = get_spec(filing.spec_code, filing.spec_version)
    # Not a with-block: FileResponse closes the file once it has been sent.
    out = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        with local_copy(filing) as path:
            annotated_workbook(path, spec, filing.hits.all(), out)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        # A file the reader rejected (not a workbook, no data sheet) may not open at all.
        out.close()
        messages.error(
            request,
            _(
                "The file cannot be opened as a workbook, so it cannot be annotated. "
                "The issue list says why."
            ),
        )
        return redirect("filing-detail", pk=filing.pk)
    out.seek(0)
    name = f"{_stem(filing)}_annotated.xlsx"
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)


@login_required
def filing_issues_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    filing = _filing_or_404(request, pk)
    spec = get_spec(filing.spec_code, filing.spec_version)
    return xlsx_response(issue_list_xlsx(spec, filing.hits.all()), f"{_stem(filing)}_issues.xlsx")


@login_required
def filing_issues_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    filing = _filing_or_404(request, pk)
    spec = get_spec(filing.spec_code, filing.spec_version)
    hits = list(filing.hits.all())  # read now, while the request's connection is ours
    response = StreamingHttpResponse(
        issue_list_csv(spec, hits), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"{_stem(filing)}_issues.csv"
    )
    return response
