"""What a dashboard is about and what it shows: the subject (an office's subtree for a quarter,
optionally one institution or branch in it) and the panels drawn for it.

A panel is a template and a function of the subject returning the panel's context, or None to
leave the panel out. The returns panels come first; then the grade distribution, the complaints
of the quarter and the escalation cases, read through those capabilities' selectors
(``evaluation.selectors``, ``complaints.statistics``, ``escalation.statistics``): dashboards
are the one capability that reads others, and never through their services.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from portal import scoping
from portal.models import Branch, Institution, Office, OfficeLevel
from reporting import periods
from reporting.models import Filing, FilingStatus, ReturnRequest
from supervision.complaints import statistics as complaint_statistics
from supervision.dashboards import charts, figures, weak_regions
from supervision.dashboards import notice_indicators as notices
from supervision.dashboards.indicators import Indicator, indicators
from supervision.escalation import statistics as case_statistics
from supervision.evaluation import selectors as evaluation


@dataclass(frozen=True)
class Subject:
    """One dashboard page: whose figures, for which quarter, seen by whom."""

    user: object
    office: Office
    period: str
    institution: Institution | None = None
    branch: Branch | None = None
    rank_by: str = "sme_balance"  # what the institutions are ranked by: one of RANK_BY

    @cached_property
    def institutions(self) -> QuerySet:
        """The institutions whose returns the figures add up: those the user supervises."""
        return scoping.visible(self.user, Institution)

    @cached_property
    def sees_every_institution(self) -> bool:
        """Whether the user holds a role at every top office, and so supervises every
        institution: the figures are then those of every return, which the quarter's sums
        kept per office and institution hold ready (one query here, rather than every
        institution's id in each of the figures' queries)."""
        paths = {path for _role, path in scoping.scope_of(self.user).offices}
        return not Office.objects.filter(depth=1).exclude(path__in=paths).exists()

    @cached_property
    def figures(self) -> figures.Figures:
        return figures.subtree_figures(
            self.office,
            self.period,
            among=None if self.sees_every_institution else self.institutions,
            institution=self.institution,
            branch=self.branch,
            # Ranked by balance, the database ranks them and the page reads the first; by a
            # notice figure (weak regions' sums added in here), every institution is read.
            ranked=RANKED if self.rank_by == RANK_BY[0] else None,
        )

    @cached_property
    def weak(self) -> weak_regions.Weak:
        """The weak-region balances of the subtree, for the notice figures."""
        filer = weak_regions.filer_of(self.institutions, self.institution, self.branch)
        return weak_regions.Weak(self.office, self.period, filer)

    @property
    def filer(self) -> Institution | Branch | None:
        return self.branch or self.institution


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    build: Callable[[Subject], dict | None]


def panels_for(subject: Subject) -> list[tuple[Panel, dict]]:
    drawn = []
    for panel in PANELS:
        context = panel.build(subject)
        if context is not None:
            drawn.append((panel, context))
    return drawn


def quarters() -> list[str]:
    """The quarters SME-LOANS returns were requested for, newest first."""
    found = (
        ReturnRequest.objects.filter(spec_code=figures.SPEC_CODE)
        .order_by("period")
        .values_list("period", flat=True)
        .distinct()
    )
    return sorted((p for p in found if periods.is_quarter(p)), reverse=True)


def default_quarter(available: list[str]) -> str | None:
    """The newest quarter with an accepted return, else the newest requested."""
    accepted = Filing.objects.filter(
        spec_code=figures.SPEC_CODE, is_current=True, status=FilingStatus.ACCEPTED
    ).aggregate(newest=Max("period"))["newest"]
    return accepted if accepted in available else (available[0] if available else None)


RANKED = 20  # institutions listed on the page; the figures workbook has them all


def _base(subject: Subject) -> dict:
    return {"figures": subject.figures, "subject": subject}


def _headline(subject: Subject) -> dict:
    return {**_base(subject), "chart": charts.targets(subject.figures)}


def _units(subject: Subject) -> dict | None:
    if not subject.figures.units:
        return None
    url_of = charts.office_url(subject.period, subject.institution, subject.branch)
    # The General Bureau's children are the provinces: a map of China; below, the tree map.
    drawn = charts.provinces if subject.office.level == OfficeLevel.GENERAL else charts.offices
    return {**_base(subject), "chart": drawn(subject.figures, url_of)}


RANK_BY = ("sme_balance", *notices.DRILLED)  # what the institutions may be ranked by


def _ranked(subject: Subject) -> list[tuple[figures.Row, dict]]:
    """The subtree's first RANKED institutions, largest first by ``subject.rank_by`` (those
    without the figure last), each with the notice figures of the drill-down table by key."""
    weak = subject.weak

    def measured(row: figures.Row, definitions) -> dict[str, Indicator]:
        pk = row.institution_id
        sums, basis = weak.sums(row.sums, institution=pk), weak.basis(row.basis, institution=pk)
        return {i.key: i for i in indicators(sums, basis, row.kind, definitions)}

    rows = subject.figures.institutions
    if subject.rank_by in notices.BY_KEY:
        chosen = (notices.BY_KEY[subject.rank_by],)
        values = [(measured(row, chosen)[subject.rank_by].value, row) for row in rows]
        values.sort(key=lambda pair: (pair[0] is None, -(pair[0] or 0)))
        rows = [row for _value, row in values]
    shown = figures.with_institutions(rows[:RANKED])
    return [(row, measured(row, notices.DRILLED_DEFINITIONS)) for row in shown]


def _institutions(subject: Subject) -> dict | None:
    found = subject.figures
    if not found.institutions or subject.institution is not None:
        return None
    figures.with_institutions(found.institutions[:RANKED])  # the chart's
    return {
        **_base(subject),
        "ranking": _ranked(subject),
        "more": found.institution_count > RANKED,
        "chart": charts.ranking(found),
        "rank_by": subject.rank_by,
        "ranks": [
            (key, notices.BY_KEY[key].label if key in notices.BY_KEY else None) for key in RANK_BY
        ],
        "drilled": notices.DRILLED_HEADINGS,
    }


def _filers(subject: Subject) -> dict | None:
    """Branches filing their own returns, those the user supervises; None when there are none."""
    found = subject.figures
    filers = []
    for row in found.filers:
        assert row.branch is not None, "the rows of Figures.filers are branches'"
        filers.append((row, row.branch))
    visible = set(
        scoping.visible(subject.user, Branch)
        .filter(pk__in=[branch.pk for _row, branch in filers])
        .values_list("pk", flat=True)
    )
    rows = [row for row, branch in filers if branch.pk in visible and branch != subject.branch]
    return {**_base(subject), "filers": rows} if rows else None


def _notices(subject: Subject) -> dict | None:
    """What the notices measure beyond the headline: the subtree's figures, and each child
    office's with its drill-down link."""
    found = subject.figures
    if not found.has_data or found.basis is None:
        return None
    weak = subject.weak
    url_of = charts.office_url(subject.period, subject.institution, subject.branch)
    units = []
    for row in found.units:
        if row.office is not None:
            own = [row.office.path]
            values = notices.drilled(weak.sums(row.sums, own), weak.basis(row.basis, own))
            units.append((row, url_of(row.office), values))
    return {
        **_base(subject),
        # Each figure, with by how many of the returns summed it was reported (a subtree may
        # mix versions) and how many were summed.
        "indicators": [
            (i, *notices.reported_by(notices.BY_KEY[i.key], found.versions))
            for i in notices.notice_indicators(weak.sums(found.sums), weak.basis(found.basis))
        ],
        "drilled": notices.DRILLED_HEADINGS,
        "units": units,
    }


def _trend(subject: Subject) -> dict:
    return {**_base(subject), "chart": charts.trend(subject.figures)}


def _office_only(subject: Subject) -> bool:
    """Grades, complaints and cases are shown for an office's subtree, not for one filer."""
    return subject.institution is None and subject.branch is None


def _grades(subject: Subject) -> dict | None:
    """The evaluation grades of the institutions supervised in the subtree, for the quarter."""
    if not _office_only(subject):
        return None
    counts = evaluation.grade_distribution(subject.office, subject.period)
    if not any(counts.values()):
        return None
    label = _("Grade %(grade)s")
    rows = [(label % {"grade": grade}, n) for grade, n in counts.items()]
    chart = charts.columns(
        [name for name, _n in rows],
        [(_("Institutions"), [n for _g, n in rows])],
        _("Grade"),
    )
    closer = evaluation.under_closer_supervision(subject.office, subject.period)
    return {"subject": subject, "rows": rows, "chart": chart, "closer": closer}


def _complaints(subject: Subject) -> dict | None:
    """Complaints filed in the quarter against branches in the subtree."""
    if not _office_only(subject):
        return None
    start = periods.quarter_start(subject.period)
    end = periods.quarter_end(subject.period) + timedelta(days=1)
    found = complaint_statistics.for_office(subject.office, start, end)
    if not found.total:
        return None
    categories = [(complaint_statistics.category_label(c), n) for c, n in found.by_category.items()]
    chart = charts.columns(
        [name for name, _n in categories],
        [(_("Complaints"), [n for _c, n in categories])],
        _("Category"),
    )
    return {"subject": subject, "found": found, "categories": categories, "chart": chart}


def _cases(subject: Subject) -> dict | None:
    """The escalation cases now sitting in the dashboard's subtree (and its institution or
    branch, if one is chosen) that the user may see; None when there are none."""
    cases = case_statistics.seen_in_subtree(
        subject.user, subject.office, institution=subject.institution, branch=subject.branch
    )
    found = case_statistics.figures(cases)
    return {"cases": found, "subject": subject} if found.total else None


# Every dashboard's panels, in the order they are drawn.
PANELS = (
    Panel("headline", "supervision/dashboards/panels/headline.html", _headline),
    Panel("units", "supervision/dashboards/panels/units.html", _units),
    Panel("institutions", "supervision/dashboards/panels/institutions.html", _institutions),
    Panel("filers", "supervision/dashboards/panels/filers.html", _filers),
    Panel("notices", "supervision/dashboards/panels/notices.html", _notices),
    Panel("trend", "supervision/dashboards/panels/trend.html", _trend),
    Panel("grades", "supervision/dashboards/panels/grades.html", _grades),
    Panel("complaints", "supervision/dashboards/panels/complaints.html", _complaints),
    Panel("escalation", "supervision/escalation/dashboard_panel.html", _cases),
)
