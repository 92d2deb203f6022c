"""Scoring: a pure function from a scheme and one institution's inputs to its result.

Every indicator's line carries the inputs it read, the value it computed, the target, the
points given and a sentence saying why (a message id with parameters, rendered in the
reader's language). An input that is missing is named as missing and the indicator gives no
points (``None``), never a silent zero. Nothing here touches the database.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext, gettext_noop

from supervision.evaluation.scheme import Indicator, Measure, Scheme, Text

CENT = Decimal("0.01")
ZERO = Decimal(0)

UNITS = {
    "%": Text("%", "%"),
    "pp": Text("个百分点", " pp"),
    "10k": Text("万元", " × 10k CNY"),
    "borrowers": Text("户", " borrowers"),
    "policies": Text("件", " policies"),
    "days": Text("天", " days"),
    "rows": Text("行", " rows"),
    "": Text("", ""),
}

MET = gettext_noop("%(value)s meets the target of %(target)s: full %(points)s points.")
WITHIN = gettext_noop("%(value)s is within the limit of %(target)s: full %(points)s points.")
PROPORTIONAL = gettext_noop(
    "%(value)s is short of the target of %(target)s: %(points)s of %(max)s points, in proportion."
)
LINEAR = gettext_noop(
    "%(value)s lies between %(zero_at)s (no points) and the target of %(target)s: "
    "%(points)s of %(max)s points."
)
BEYOND = gettext_noop(
    "%(value)s is at or past %(zero_at)s, where the credit ends (target %(target)s): no points."
)
NO_PARTIAL = gettext_noop("%(value)s misses the target of %(target)s: no points.")
GATE_FAILED = gettext_noop(
    "%(value)s misses the target of %(target)s and partial credit needs that %(condition)s, "
    "which does not hold: no points."
)
PENALTY = gettext_noop("%(reason)s (value %(value)s, target %(target)s): %(points)s points.")
MISSING = gettext_noop("Not scored: missing %(inputs)s.")
UNDEFINED = gettext_noop("Cannot be computed: a figure it divides by is zero. No points.")
QUALITATIVE = gettext_noop("Scored by the reviewer: %(points)s of %(max)s points.")
QUALITATIVE_MISSING = gettext_noop("Not scored yet: awaits the reviewer's points.")
ADJUSTED = gettext_noop(
    "Adjusted by the reviewer from %(computed)s to %(points)s points: %(reason)s"
)


# Stored results name their sentence by a short key, not the whole message id.
SENTENCES = {
    "met": MET,
    "within": WITHIN,
    "proportional": PROPORTIONAL,
    "linear": LINEAR,
    "beyond": BEYOND,
    "no_partial": NO_PARTIAL,
    "gate_failed": GATE_FAILED,
    "penalty": PENALTY,
    "missing": MISSING,
    "undefined": UNDEFINED,
    "qualitative": QUALITATIVE,
    "qualitative_missing": QUALITATIVE_MISSING,
    "adjusted": ADJUSTED,
}
KEY_OF = {message: key for key, message in SENTENCES.items()}


@dataclass(frozen=True)
class Adjustment:
    points: Decimal
    reason: str


@dataclass(frozen=True)
class Inputs:
    """One institution's inputs: its kind, whether it is under a differentiated arrangement
    (reform or risk resolution), the named values (None when missing), the reviewer's points
    for qualitative items and the reviewer's adjustments, both by indicator code."""

    kind: str
    values: Mapping[str, Decimal | None]
    differentiated: bool = False
    qualitative: Mapping[str, Decimal] = field(default_factory=dict)
    adjustments: Mapping[str, Adjustment] = field(default_factory=dict)


@dataclass(frozen=True)
class Line:
    code: str
    element: str
    kind: str
    max_points: Decimal
    points: Decimal | None
    reason: dict  # {"message": msgid, "params": {...}}; see ``sentence``
    inputs: dict[str, Decimal | None] = field(default_factory=dict)
    value: Decimal | None = None
    target: Decimal | None = None
    unit: str = ""
    met: bool | None = None  # on target; None when not measured
    missing: tuple[str, ...] = ()
    differentiated: bool = False
    computed: Decimal | None = None  # the points before an adjustment

    @property
    def scored(self) -> bool:
        return self.points is not None


@dataclass(frozen=True)
class Result:
    scheme: str
    kind: str
    lines: tuple[Line, ...]
    regular: Decimal
    bonus: Decimal
    total: Decimal
    grade: int
    band: str  # "A" or "B" within the grade
    floor_applied: bool  # the regular points alone fell below the floor: lowest grade

    @property
    def complete(self) -> bool:
        return all(line.scored for line in self.lines)

    @property
    def missing(self) -> list[Line]:
        return [line for line in self.lines if not line.scored]

    @property
    def label(self) -> str:
        return f"{self.grade}{self.band}"

    def line(self, code: str) -> Line:
        return next(line for line in self.lines if line.code == code)

    def as_dict(self) -> dict:
        """Plain JSON: Decimals as strings, so stored results read back exactly."""
        return {
            "scheme": self.scheme,
            "kind": self.kind,
            "lines": [_line_dict(line) for line in self.lines],
            "regular": str(self.regular),
            "bonus": str(self.bonus),
            "total": str(self.total),
            "grade": self.grade,
            "band": self.band,
            "floor_applied": self.floor_applied,
        }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


SIX_PLACES = Decimal("0.000001")


def _input_text(value: Decimal | None) -> str | None:
    # Inputs are kept to six decimals without trailing zeros: what a reader needs, in fewer
    # bytes (a national run stores thousands of results at once).
    if value is None:
        return None
    return f"{value.quantize(SIX_PLACES).normalize():f}"


def _line_dict(line: Line) -> dict:
    # Written out rather than dataclasses.asdict, which deep-copies: a national run stores
    # thousands of results, and asdict alone took most of its time. Fields at their default
    # are left out.
    data: dict[str, object] = {
        "code": line.code,
        "element": line.element,
        "kind": line.kind,
        "max_points": str(line.max_points),
        "points": _text(line.points),
        "reason": line.reason,
        "inputs": {name: _input_text(value) for name, value in line.inputs.items()},
        "value": _text(line.value),
        "target": _text(line.target),
        "unit": line.unit,
        "met": line.met,
    }
    if line.missing:
        data["missing"] = list(line.missing)
    if line.differentiated:
        data["differentiated"] = True
    if line.computed is not None:
        data["computed"] = str(line.computed)
    return data


def result_from_dict(data: dict) -> Result:
    def number(value):
        return Decimal(value) if value is not None else None

    lines = tuple(
        Line(
            **{
                **line,
                "max_points": Decimal(line["max_points"]),
                "points": number(line["points"]),
                "inputs": {k: number(v) for k, v in line["inputs"].items()},
                "value": number(line["value"]),
                "target": number(line["target"]),
                "missing": tuple(line.get("missing", ())),
                "computed": number(line.get("computed")),
            }
        )
        for line in data["lines"]
    )
    return Result(
        **{
            **data,
            "lines": lines,
            "regular": Decimal(data["regular"]),
            "bonus": Decimal(data["bonus"]),
            "total": Decimal(data["total"]),
        }
    )


# -- sentences -----------------------------------------------------------------------------


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def shown(value: Decimal | None, unit: str = "") -> dict:
    """A number with its unit in both languages, as a sentence parameter."""
    if value is None:
        return {"zh": "—", "en": "—"}
    number = f"{_quantize(value).normalize():f}"
    text = UNITS.get(unit, UNITS[""])
    return {"zh": f"{number}{text.zh}", "en": f"{number}{text.en}"}


def _sentence(message: str, **params) -> dict:
    return {"message": KEY_OF[message], "params": params}


def _param(value, lang: str) -> str:
    if isinstance(value, dict) and "zh" in value:
        return value["en"] if lang == "en" else value["zh"]
    if isinstance(value, list):
        separator = ", " if lang == "en" else "、"
        return separator.join(_param(v, lang) for v in value)
    return str(value)


def sentence(reason: dict, lang: str | None = None) -> str:
    """A line's reason in the active language (or ``lang``: "zh" or "en")."""
    from django.utils import translation

    if lang is None:
        lang = "en" if (translation.get_language() or "zh").startswith("en") else "zh"
    with translation.override("en" if lang == "en" else "zh-hans"):
        text = gettext(SENTENCES.get(reason["message"], reason["message"]))
    return text % {k: _param(v, lang) for k, v in reason["params"].items()}


# -- scoring -------------------------------------------------------------------------------


def score(scheme: Scheme, inputs: Inputs) -> Result:
    """The result of one institution under ``scheme``."""
    lines = tuple(
        _adjusted(indicator, _line(scheme, indicator, inputs), inputs)
        for indicator in scheme.applicable(inputs.kind)
    )
    # Those scored, as Line.scored says: points not None.
    regular = sum(
        (ln.points for ln in lines if ln.points is not None and ln.kind == "regular"), ZERO
    )
    bonus = sum((ln.points for ln in lines if ln.points is not None and ln.kind == "bonus"), ZERO)
    total = min(max(regular + bonus, scheme.lower), scheme.upper)
    floor_applied = regular < scheme.regular_floor
    band = next(b for b in scheme.bands if b.minimum is None or total >= b.minimum)
    if floor_applied:
        band = next(b for b in scheme.bands if b.grade == scheme.lowest_grade)
    return Result(
        scheme=scheme.version,
        kind=inputs.kind,
        lines=lines,
        regular=regular,
        bonus=bonus,
        total=total,
        grade=band.grade,
        band="A" if total >= band.split else "B",
        floor_applied=floor_applied,
    )


def _line(scheme: Scheme, indicator: Indicator, inputs: Inputs) -> Line:
    base: dict[str, Any] = {  # Line's fields, as _measured takes them
        "code": indicator.code,
        "element": indicator.element,
        "kind": indicator.kind,
        "max_points": indicator.points,
    }
    if indicator.qualitative:
        points = inputs.qualitative.get(indicator.code)
        if points is None:
            return Line(**base, points=None, reason=_sentence(QUALITATIVE_MISSING))
        points = _clamp(Decimal(points), indicator.floor, indicator.points)
        return Line(
            **base,
            points=points,
            reason=_sentence(QUALITATIVE, points=str(points), max=str(indicator.points)),
        )
    differentiated = inputs.differentiated and indicator.differentiated is not None
    measure = indicator.differentiated if differentiated else indicator.measure
    assert measure is not None, "an indicator not qualitative has a measure"
    base["differentiated"] = differentiated
    return _measured(scheme, indicator, measure, inputs.values, base)


def _missing(names, values: Mapping[str, Decimal | None]) -> tuple[str, ...]:
    return tuple(sorted(n for n in names if values.get(n) is None))


def _missing_line(scheme: Scheme, base: dict, used: dict, missing: tuple[str, ...]) -> Line:
    labels = [scheme.inputs[name].label.as_dict() for name in missing]
    fields = base | {"inputs": used, "missing": missing}
    return Line(**fields, points=None, reason=_sentence(MISSING, inputs=labels))


def _measured(
    scheme: Scheme, indicator: Indicator, measure: Measure, values: Mapping, base: dict
) -> Line:
    used = {name: values.get(name) for name in sorted(measure.names)}
    base = base | {"unit": measure.unit}
    if missing := _missing(measure.names, values):
        return _missing_line(scheme, base, used, missing)
    try:
        value, target = measure.value(values), measure.target(values)
    except ZeroDivisionError:
        return Line(**base, points=ZERO, inputs=used, reason=_sentence(UNDEFINED))
    base |= {"inputs": used, "value": _quantize(value), "target": _quantize(target)}
    shown_value, shown_target = shown(value, measure.unit), shown(target, measure.unit)
    for penalty in measure.penalties:
        # A penalty needs its evidence: without last year's figures it cannot be shown to hold.
        if _missing(penalty.when.names, values):
            continue
        try:
            holds = penalty.when(values)
        except ZeroDivisionError:
            continue
        if holds:
            return Line(
                **base,
                points=penalty.points,
                met=False,
                reason=_sentence(
                    PENALTY,
                    reason=penalty.reason.as_dict(),
                    value=shown_value,
                    target=shown_target,
                    points=str(penalty.points),
                ),
            )
    full = str(indicator.points)
    if measure.direction == "at_least" and value >= target:
        return Line(
            **base,
            points=indicator.points,
            met=True,
            reason=_sentence(MET, value=shown_value, target=shown_target, points=full),
        )
    if measure.direction == "at_most" and value <= target:
        return Line(
            **base,
            points=indicator.points,
            met=True,
            reason=_sentence(WITHIN, value=shown_value, target=shown_target, points=full),
        )
    partial = measure.partial
    if partial.when is not None:
        if gate_missing := _missing(partial.when.names, values):
            used = used | {name: values.get(name) for name in sorted(partial.when.names)}
            return _missing_line(scheme, base | {"met": False}, used, gate_missing)
        base["inputs"] = used | {name: values[name] for name in sorted(partial.when.names)}
        if not partial.when(values):
            assert partial.when_text is not None, "a condition has its text (scheme._measure)"
            return Line(
                **base,
                points=ZERO,
                met=False,
                reason=_sentence(
                    GATE_FAILED,
                    value=shown_value,
                    target=shown_target,
                    condition=partial.when_text.as_dict(),
                ),
            )
    return _partial(indicator, measure, value, target, base, shown_value, shown_target)


def _partial(
    indicator: Indicator,
    measure: Measure,
    value: Decimal,
    target: Decimal,
    base: dict,
    shown_value: dict,
    shown_target: dict,
) -> Line:
    partial = measure.partial
    points = indicator.points
    params = {"value": shown_value, "target": shown_target, "max": str(points)}
    if partial.kind == "proportional":
        given = _quantize(points * value / target) if target > 0 and value > 0 else ZERO
        given = _clamp(given, ZERO, points)
        return Line(
            **base,
            points=given,
            met=False,
            reason=_sentence(PROPORTIONAL, **params, points=str(given)),
        )
    if partial.kind == "linear":
        zero_at = partial.zero_at
        assert zero_at is not None, "linear credit has its zero_at (scheme._measure)"
        params["zero_at"] = shown(zero_at, measure.unit)
        if measure.direction == "at_least":
            reach, span = value - zero_at, target - zero_at
        else:
            reach, span = zero_at - value, zero_at - target
        if reach <= 0 or span <= 0:
            return Line(**base, points=ZERO, met=False, reason=_sentence(BEYOND, **params))
        given = _clamp(_quantize(points * reach / span), ZERO, points)
        return Line(
            **base, points=given, met=False, reason=_sentence(LINEAR, **params, points=str(given))
        )
    return Line(
        **base,
        points=ZERO,
        met=False,
        reason=_sentence(NO_PARTIAL, value=shown_value, target=shown_target),
    )


def _adjusted(indicator: Indicator, line: Line, inputs: Inputs) -> Line:
    adjustment = inputs.adjustments.get(indicator.code)
    if adjustment is None or indicator.qualitative:
        return line
    points = _clamp(Decimal(adjustment.points), indicator.lowest, indicator.points)
    computed = line.points
    return replace(
        line,
        points=points,
        computed=computed,
        missing=(),
        reason=_sentence(
            ADJUSTED,
            computed=str(computed) if computed is not None else "—",
            points=str(points),
            reason=adjustment.reason,
        ),
    )


def _clamp(value: Decimal, lowest: Decimal, highest: Decimal) -> Decimal:
    return min(max(value, lowest), highest)
