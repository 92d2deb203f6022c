"""Scoring: a pure function from a scheme and one institution's inputs to its result.

Every indicator's line carries the inputs it read, the value it computed, the target, the
points given and a sentence saying why (a message id with parameters, rendered in the
reader's language). An input that is missing is named as missing and the indicator gives no
points (``None``), never a silent zero. Nothing here touches the database.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from supervision.evaluation.scheme import Indicator, Measure, Scheme
from supervision.evaluation.sentences import (
    ADJUSTED,
    ALSO_MET,
    BEYOND,
    CONDITION_PROPORTIONAL,
    GATE_FAILED,
    LINEAR,
    MET,
    MISSING,
    NO_PARTIAL,
    NOT_REPORTED,
    PARTS,
    PENALTY,
    PROPORTIONAL,
    QUALITATIVE,
    QUALITATIVE_MISSING,
    UNDEFINED,
    WITHIN,
    because,
    quantize,
    shown,
)

ZERO = Decimal(0)


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
    parts: tuple["Line", ...] = ()  # an indicator scored part by part: each part's line

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
    if line.parts:
        # Stored once: a part's element and kind are its indicator's, its sentence in PARTS'.
        said = line.reason["message"] == "parts"
        data["parts"] = parts = [_line_dict(part) for part in line.parts]
        for part in parts:
            del part["element"], part["kind"]
            if said:
                del part["reason"]
    return data


def _number(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def _line_from_dict(line: dict) -> Line:
    shared = {"element": line["element"], "kind": line["kind"]}
    said = line["reason"]["params"]["parts"] if line["reason"]["message"] == "parts" else None
    parts = [
        shared | ({"reason": said[i]["reason"]} if said else {}) | part
        for i, part in enumerate(line.get("parts", ()))
    ]
    return Line(
        **{
            **line,
            "max_points": Decimal(line["max_points"]),
            "points": _number(line["points"]),
            "inputs": {k: _number(v) for k, v in line["inputs"].items()},
            "value": _number(line["value"]),
            "target": _number(line["target"]),
            "missing": tuple(line.get("missing", ())),
            "computed": _number(line.get("computed")),
            "parts": tuple(_line_from_dict(part) for part in parts),
        }
    )


def result_from_dict(data: dict) -> Result:
    lines = tuple(_line_from_dict(line) for line in data["lines"])
    return Result(
        **{
            **data,
            "lines": lines,
            "regular": Decimal(data["regular"]),
            "bonus": Decimal(data["bonus"]),
            "total": Decimal(data["total"]),
        }
    )


# -- scoring -------------------------------------------------------------------------------


def score(scheme: Scheme, inputs: Inputs) -> Result:
    """The result of one institution under ``scheme``."""
    if scheme.tolerances:
        # The scheme's tolerances are values its formulas read, like the inputs.
        inputs = replace(inputs, values={**inputs.values, **scheme.constants})
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
    grade, band = grade_of(scheme, regular, total)
    return Result(
        scheme=scheme.version,
        kind=inputs.kind,
        lines=lines,
        regular=regular,
        bonus=bonus,
        total=total,
        grade=grade,
        band=band,
        floor_applied=regular < scheme.regular_floor,
    )


def grade_of(scheme: Scheme, regular: Decimal, total: Decimal) -> tuple[int, str]:
    """The grade and sub-band (A at or above the band's split, else B) of a total; regular
    points below the scheme's floor give the lowest grade whatever the total."""
    band = next(b for b in scheme.bands if b.minimum is None or total >= b.minimum)
    if regular < scheme.regular_floor:
        band = next(b for b in scheme.bands if b.grade == scheme.lowest_grade)
    return band.grade, "A" if total >= band.split else "B"


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
            return Line(**base, points=None, reason=because(QUALITATIVE_MISSING))
        points = _clamp(Decimal(points), indicator.floor, indicator.points)
        return Line(
            **base,
            points=points,
            reason=because(QUALITATIVE, points=str(points), max=str(indicator.points)),
        )
    if indicator.parts:
        return _in_parts(scheme, indicator, inputs.values, base)
    differentiated = inputs.differentiated and indicator.differentiated is not None
    measure = indicator.differentiated if differentiated else indicator.measure
    assert measure is not None, "an indicator not qualitative has a measure"
    base["differentiated"] = differentiated
    return _measured(scheme, indicator, measure, inputs.values, base)


def _in_parts(scheme: Scheme, indicator: Indicator, values: Mapping, base: dict) -> Line:
    """An indicator scored part by part: each part measured on its own, the points their sum.
    A part whose figures are not reported (a column its filing's return version lacks, or a
    blank) gives no points and says so; the parts reported still count. Nothing reported at
    all: not scored, as any indicator missing its inputs."""
    parts = []
    for part, one in zip(indicator.parts, indicator.part_indicators, strict=True):
        fields = base | {"code": one.code, "max_points": one.points}
        line = _measured(scheme, one, part.measure, values, fields)
        if line.missing:
            labels = [scheme.inputs[name].label.as_dict() for name in line.missing]
            line = replace(line, reason=because(NOT_REPORTED, inputs=labels))
        parts.append(line)
    inputs = {name: value for line in parts for name, value in line.inputs.items()}
    missing = tuple(sorted({name for line in parts for name in line.missing}))
    scored = [line for line in parts if line.points is not None]
    fields = base | {"inputs": dict(sorted(inputs.items())), "missing": missing}
    fields["parts"] = tuple(parts)
    if not scored:
        return _missing_line(scheme, fields, fields["inputs"], missing)
    points = sum((line.points for line in scored if line.points is not None), ZERO)
    said = [
        {"name": part.name.as_dict(), "reason": line.reason}
        for part, line in zip(indicator.parts, parts, strict=True)
    ]
    reason = because(PARTS, points=str(points), max=str(indicator.points), parts=said)
    met = all(line.met for line in parts)
    return Line(**fields, points=points, met=met, reason=reason)


def _missing(names, values: Mapping[str, Decimal | None]) -> tuple[str, ...]:
    return tuple(sorted(n for n in names if values.get(n) is None))


def _missing_line(scheme: Scheme, base: dict, used: dict, missing: tuple[str, ...]) -> Line:
    labels = [scheme.inputs[name].label.as_dict() for name in missing]
    fields = base | {"inputs": used, "missing": missing}
    return Line(**fields, points=None, reason=because(MISSING, inputs=labels))


def _measured(
    scheme: Scheme, indicator: Indicator, measure: Measure, values: Mapping, base: dict
) -> Line:
    """The measure's points: its steps (met, partial credit, penalties) in the scheme's order,
    the first that gives points winning; the sentence names the step that applied."""
    used = {name: values.get(name) for name in sorted(measure.names) if name in scheme.inputs}
    base = base | {"unit": measure.unit}
    if missing := _missing(measure.names, values):
        return _missing_line(scheme, base, used, missing)
    try:
        value, target = measure.value(values), measure.target(values)
    except ZeroDivisionError:
        return Line(**base, points=ZERO, inputs=used, reason=because(UNDEFINED))
    base |= {"inputs": used, "value": quantize(value), "target": quantize(target)}
    step = _Step(scheme, indicator, measure, values, base, value, target)
    for name in measure.order:
        line = getattr(step, name)()
        if line is not None:
            return line
    return step.nothing()


@dataclass
class _Step:
    """One measured indicator's steps, each giving its line or None when it does not apply."""

    scheme: Scheme
    indicator: Indicator
    measure: Measure
    values: Mapping
    base: dict
    value: Decimal
    target: Decimal
    gate_failed: bool = False

    @property
    def shown(self) -> dict:
        unit = self.measure.unit
        return {"value": shown(self.value, unit), "target": shown(self.target, unit)}

    def _holds(self, formula) -> bool | None:
        # A condition needs its evidence: without its figures it cannot be shown to hold.
        if _missing(formula.names, self.values):
            return None
        try:
            return bool(formula(self.values))
        except ZeroDivisionError:
            return None

    def _read(self, formula) -> None:
        self.base["inputs"] = self.base["inputs"] | {
            name: self.values.get(name)
            for name in sorted(formula.names)
            if name in self.scheme.inputs
        }

    def met(self) -> Line | None:
        full = str(self.indicator.points)
        at_least = self.measure.direction == "at_least"
        if (at_least and self.value >= self.target) or (not at_least and self.value <= self.target):
            message = MET if at_least else WITHIN
            reason = because(message, **self.shown, points=full)
            return Line(**self.base, points=self.indicator.points, met=True, reason=reason)
        for other in self.measure.also_met:
            if self._holds(other.when):
                self._read(other.when)
                reason = because(
                    ALSO_MET, **self.shown, condition=other.text.as_dict(), points=full
                )
                return Line(**self.base, points=self.indicator.points, met=True, reason=reason)
        return None

    def penalties(self) -> Line | None:
        for penalty in self.measure.penalties:
            if self._holds(penalty.when):
                self._read(penalty.when)
                reason = because(
                    PENALTY,
                    reason=penalty.reason.as_dict(),
                    **self.shown,
                    points=str(penalty.points),
                )
                return Line(**self.base, points=penalty.points, met=False, reason=reason)
        return None

    def partial(self) -> Line | None:
        partial = self.measure.partial
        condition = None
        if partial.when is not None:
            if gate_missing := _missing(partial.when.names, self.values):
                used = self.base["inputs"] | {
                    name: self.values.get(name) for name in sorted(partial.when.names)
                }
                fields = self.base | {"met": False}
                return _missing_line(self.scheme, fields, used, gate_missing)
            self._read(partial.when)
            if not partial.when(self.values):
                self.gate_failed = True
                return None
            assert partial.when_text is not None, "a condition has its text (scheme._measure)"
            condition = partial.when_text.as_dict()
        return _partial(
            self.indicator,
            self.measure,
            self.values,
            (self.value, self.target),
            self.base,
            self.shown,
            condition,
        )

    def nothing(self) -> Line:
        """No step gave points: the partial credit's condition failed."""
        text = self.measure.partial.when_text
        assert self.gate_failed and text is not None, "partial credit applies unless gated"
        reason = because(GATE_FAILED, **self.shown, condition=text.as_dict())
        return Line(**self.base, points=ZERO, met=False, reason=reason)


def _partial(
    indicator: Indicator,
    measure: Measure,
    values: Mapping,
    measured: tuple[Decimal, Decimal],
    base: dict,
    shown_pair: dict,
    condition: dict | None,
) -> Line:
    partial = measure.partial
    points = indicator.points
    value, target = measured
    params = shown_pair | {"max": str(points)}
    if partial.kind == "proportional":
        given = quantize(points * value / target) if target > 0 and value > 0 else ZERO
        given = _clamp(given, ZERO, points)
        if condition is not None:
            message, params = CONDITION_PROPORTIONAL, params | {"condition": condition}
        else:
            message = PROPORTIONAL
        return Line(
            **base, points=given, met=False, reason=because(message, **params, points=str(given))
        )
    if partial.kind == "linear":
        assert partial.zero_at is not None, "linear credit has its zero_at (scheme._measure)"
        zero_at = partial.zero_at(values)
        params["zero_at"] = shown(zero_at, measure.unit)
        if measure.direction == "at_least":
            reach, span = value - zero_at, target - zero_at
        else:
            reach, span = zero_at - value, zero_at - target
        if reach <= 0 or span <= 0:
            return Line(**base, points=ZERO, met=False, reason=because(BEYOND, **params))
        given = _clamp(quantize(points * reach / span), ZERO, points)
        return Line(
            **base, points=given, met=False, reason=because(LINEAR, **params, points=str(given))
        )
    return Line(**base, points=ZERO, met=False, reason=because(NO_PARTIAL, **shown_pair))


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
        reason=because(
            ADJUSTED,
            computed=str(computed) if computed is not None else "—",
            points=str(points),
            reason=adjustment.reason,
        ),
    )


def _clamp(value: Decimal, lowest: Decimal, highest: Decimal) -> Decimal:
    return min(max(value, lowest), highest)
