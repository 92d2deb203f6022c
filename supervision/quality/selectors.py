"""The figures flagged as outliers in an office's subtree, with the office's marks; and the
rows marked to follow up, which the sampling of rows to verify always draws."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from portal import scoping
from portal.models import Office
from reporting.findings import render_message
from reporting.models import Filing, FilingRow, FilingStatus, RuleHit
from reporting.rulebook import OUTLIER_RULES
from reporting.specs import get_spec
from supervision.quality.models import FigureMark, MarkState

OUTLIER_CODES = tuple(r.code for r in OUTLIER_RULES)


@dataclass(frozen=True)
class Flagged:
    filing: Filing
    code: str
    row: int
    column: str
    heading: str
    value: str
    message: str
    mark: FigureMark | None


def _in_subtree(office: Office) -> Q:
    """Hits on returns filed by an institution or branch that ``office``'s subtree holds."""
    own = Q(filing__branch__isnull=True, filing__institution__office__path__startswith=office.path)
    return own | Q(filing__branch__office__path__startswith=office.path)


def flagged(user, office: Office, period: str, lang: str = "zh") -> list[Flagged]:
    """Every outlier example of the returns of ``period`` filed under ``office`` that ``user``
    may see (signed and awaiting review, or accepted and in force), newest first, each with
    its mark."""
    in_hand = Q(status=FilingStatus.SUBMITTED) | Q(status=FilingStatus.ACCEPTED, is_current=True)
    filings = scoping.visible(user, Filing).filter(in_hand, period=period)
    hits = (
        RuleHit.objects.filter(code__in=OUTLIER_CODES, filing__in=filings.values("pk"))
        .filter(_in_subtree(office))
        .select_related("filing__institution", "filing__branch")
        .order_by("-filing__uploaded_at", "filing_id", "code")
    )
    marks = {
        (m.filing_id, m.row, m.column): m
        for m in FigureMark.objects.filter(filing__in=filings.values("pk"))
    }
    found = []
    for hit in hits:
        spec = get_spec(hit.filing.spec_code, hit.filing.spec_version)
        rule = hit.rule
        for example in hit.examples:
            column = example.get("column", "")
            heading = spec.column(column).label_zh if lang == "zh" else spec.column(column).label_en
            found.append(
                Flagged(
                    hit.filing,
                    hit.code,
                    example["row"],
                    column,
                    heading,
                    example.get("value", ""),
                    render_message(rule, example, spec, lang),
                    marks.get((hit.filing_id, example["row"], column)),
                )
            )
    return found


def follow_up_rows(office: Office, period: str, spec_code: str) -> QuerySet[FilingRow]:
    """The rows of current returns under ``office`` holding a figure marked to follow up."""
    marked = FigureMark.objects.filter(
        state=MarkState.FOLLOW_UP,
        office__path__startswith=office.path,
        filing__period=period,
        filing__spec_code=spec_code,
        filing__is_current=True,
    ).values_list("filing_id", "row")
    wanted = Q(pk__in=[])
    for filing_id, row in marked:
        wanted |= Q(filing_id=filing_id, row=row)
    return FilingRow.objects.filter(wanted)
