"""A scheme's page: every indicator with its formula, target, the order of its scoring steps
and where each threshold comes from; the grade bands, tolerances and consequences with their
sources. The same for every signed-in user: it is the rulebook, not anyone's data."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from supervision import indicators as shared
from supervision.evaluation import consequences
from supervision.evaluation import scheme as schemes
from supervision.evaluation.scheme import Indicator, Measure


def _steps(measure: Measure) -> list[str]:
    """The scoring steps in the scheme's order, in words."""
    said = {
        "met": " ".join(
            [_("full points when the target is met")]
            + [_("or when %(condition)s") % {"condition": a.text} for a in measure.also_met]
        ),
        "partial": _partial(measure),
        "penalties": "; ".join(
            _("%(points)s points when %(reason)s") % {"points": p.points, "reason": p.reason}
            for p in measure.penalties
        ),
    }
    return [said[step] for step in measure.order if said[step]]


def _partial(measure: Measure) -> str:
    partial = measure.partial
    if partial.kind == "proportional":
        text = _("points in proportion to the target")
    elif partial.kind == "linear":
        zero_at = partial.zero_at.text if partial.zero_at else ""
        text = _("points in a straight line, none at %(zero_at)s") % {"zero_at": zero_at}
    else:
        text = _("no partial credit")
    if partial.when_text:
        text += " " + _("if %(condition)s") % {"condition": partial.when_text}
    return text


def _rows(indicator: Indicator) -> list[dict]:
    """The indicator's row; one scored part by part is followed by a row for each part."""
    rows = [_row(indicator, indicator.measure)]
    for part in indicator.parts:
        code, name = f"{indicator.code}.{part.key}", f"{indicator.name} · {part.name}"
        whole = {"code": code, "name": name, "points": part.points, "lowest": 0}
        rows.append(_row(indicator, part.measure) | whole)
    return rows


def _row(indicator: Indicator, measure: Measure | None) -> dict:
    row = {
        "code": indicator.code,
        "name": indicator.name,
        "points": indicator.points,
        "lowest": indicator.lowest,
        "points_source": indicator.points_source or "",
    }
    if indicator.parts and measure is None:
        said = _("the sum of its parts, each scored on its own (below)")
        return row | {"value": said, "steps": [], "source": indicator.source or ""}
    if measure is None:
        return row | {"value": _("scored by the reviewer"), "steps": [], "source": ""}
    definition = shared.BY_KEY.get(measure.definition)
    return row | {
        "definition": definition.label if definition else "",
        "value": measure.value.text,
        "target": measure.target.text,
        "direction": "≥" if measure.direction == "at_least" else "≤",
        "steps": _steps(measure),
        "source": measure.source or "",
        "partial_source": measure.partial.source or "",
    }


@login_required
def scheme_detail(request: HttpRequest, version: str) -> HttpResponse:
    if version not in schemes.versions():
        raise Http404
    scheme = schemes.load(version)
    context = {
        "scheme": scheme,
        "versions": schemes.versions(),
        "rows": [row for i in scheme.indicators for row in _rows(i)],
        "consequences": [
            (grade, [consequences.MEASURES[m] for m in c.measures])
            for grade, c in sorted(scheme.consequences.items())
        ],
    }
    return render(request, "supervision/evaluation/scheme.html", context)
