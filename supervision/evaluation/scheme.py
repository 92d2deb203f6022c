"""Evaluation schemes as versioned data: ``schemes/<version>.json`` beside this module, read
into typed, immutable objects and checked on load. Their indicators' formulas are written in
the small language of ``supervision.evaluation.formulas``.

A scheme names its inputs (a column of an accepted return, summed over the filer's rows, for
this period or the same period a year before; a figure about the bank's reporting; the office's
arrangement for the bank), its indicators (formula, target, points, partial credit, penalties,
which institution kinds they apply to, the differentiated rule), qualitative items and grade
bands. A new year's notice is a new file, not new code.
"""

import json
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from supervision import indicators as shared
from supervision.evaluation.measures import (
    DEFAULT_ORDER,
    STEPS,
    AlsoMet,
    Consequence,
    Measure,
    Part,
    Partial,
    Penalty,
    Tolerance,
)
from supervision.formulas import Formula, FormulaError
from supervision.indicators import Text

SCHEME_DIR = Path(__file__).with_name("schemes")
KINDS = frozenset(
    {
        "policy",
        "large",
        "joint_stock",
        "city_commercial",
        "rural_commercial",
        "rural_cooperative",
        "village",
        "private",
        "foreign",
        "other_bank",
        "insurer",
    }
)


class SchemeError(ValueError):
    """A scheme file that cannot be used; the message says which entry and why."""


@dataclass(frozen=True)
class Input:
    """Where one named input comes from.

    ``source`` is "return" (``column`` of ``spec`` summed over the filer's accepted rows, or
    averaged weighted by ``weight``; ``period`` "current", "prior_year" (the same quarter a
    year before) or "year_end" (the previous year-end)), "quality" (a figure
    about the bank's own reporting), "sampling" (what data checks found), "arrangement" (the
    office's record for the bank that year, e.g. its growth target) or "group" (the figure and
    target of the bank's target group, ``group_value`` and ``group_target``). A return's ``period``
    may also be "year" (the yearly return of the year, e.g. the bank's SME credit plan), and
    ``where`` keeps only the rows whose columns have these values (the plan's whole-bank line).
    """

    name: str
    source: str
    label: Text
    unit: str = ""
    spec: str = ""
    column: str = ""
    period: str = "current"
    weight: str = ""
    where: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Indicator:
    code: str
    element: str
    name: Text
    kind: str  # "regular" or "bonus"
    applies_to: frozenset[str]
    points: Decimal
    floor: Decimal = Decimal(0)
    measure: Measure | None = None  # None: a qualitative item scored by hand
    differentiated: Measure | None = None  # replaces measure for institutions so flagged
    guidance: Text | None = None  # for qualitative items: what to attach as evidence
    points_source: Text | None = None  # where its weight comes from, when not the default
    parts: tuple[Part, ...] = ()  # scored part by part, its points their sum
    source: Text | None = None  # the notice's article it follows, when its parts have their own

    @property
    def qualitative(self) -> bool:
        return self.measure is None and not self.parts

    @property
    def lowest(self) -> Decimal:
        """The fewest points this indicator can give, penalties included."""
        measures = [m for m in (self.measure, self.differentiated) if m is not None]
        penalties = [p.points for m in measures for p in m.penalties]
        return min([self.floor, *penalties])

    def applies(self, kind: str) -> bool:
        return kind in self.applies_to

    @cached_property
    def part_indicators(self) -> tuple["Indicator", ...]:
        """Each part as an indicator of its own (its code ``B2.private``, its points), made
        once rather than for every institution scored."""
        return tuple(
            replace(self, code=f"{self.code}.{p.key}", points=p.points, parts=())
            for p in self.parts
        )


@dataclass(frozen=True)
class GroupFigure:
    """How a target group's figure is computed: ``formula`` over its members' return inputs,
    each summed over the members that have all of them (the group as one bank)."""

    formula: Formula[Decimal]
    label: Text
    source: Text
    unit: str = "%"


@dataclass(frozen=True)
class Band:
    grade: int
    minimum: Decimal | None  # None for the lowest grade
    split: Decimal  # at or above: sub-band A, below: B


@dataclass(frozen=True)
class Scheme:
    version: str
    title: Text
    notice: Text
    effective_from: int  # the first year it is used for
    lower: Decimal
    upper: Decimal
    regular_points: Decimal
    regular_floor: Decimal  # regular indicators scoring below this give the lowest grade
    escalation_grade: int  # results at this grade or below raise escalation
    bands_source: Text  # where the grade bands and their A/B cut-offs come from
    consequences: dict[int, Consequence]
    consequences_source: Text
    tolerances: dict[str, Tolerance]
    elements: dict[str, Text]
    inputs: dict[str, Input]
    indicators: tuple[Indicator, ...]
    bands: tuple[Band, ...]
    group: GroupFigure | None = None  # None: the scheme knows no target groups

    def indicator(self, code: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise KeyError(code)

    def applicable(self, kind: str) -> list[Indicator]:
        return [i for i in self.indicators if i.applies(kind)]

    def qualitative_items(self, kind: str) -> list[Indicator]:
        return [i for i in self.applicable(kind) if i.qualitative]

    @property
    def lowest_grade(self) -> int:
        return max(band.grade for band in self.bands)

    def named(self, name: str) -> "Input | Tolerance":
        """What a formula's name stands for: an input or a tolerance."""
        return self.inputs.get(name) or self.tolerances[name]

    def consequence(self, grade: int | None) -> Consequence:
        return self.consequences.get(grade or 0, Consequence())

    def tolerance(self, name: str) -> Decimal:
        return self.tolerances[name].value

    @property
    def constants(self) -> dict[str, Decimal]:
        """The tolerances as formula values."""
        return {name: t.value for name, t in self.tolerances.items()}


# -- reading a scheme file ------------------------------------------------------------------


def _text(data: dict, key: str, where: str) -> Text:
    value = data.get(key)
    if not isinstance(value, dict) or not value.get("zh") or not value.get("en"):
        raise SchemeError(f"{where}: {key} needs both zh and en")
    return Text(value["zh"], value["en"])


def _decimal(value, where: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError) as exc:
        raise SchemeError(f"{where}: {value!r} is not a number") from exc


def _formula(text: str | int | Decimal, where: str) -> Formula[Any]:
    try:
        return Formula.parse(text)
    except FormulaError as exc:
        raise SchemeError(f"{where}: {exc}") from exc


def _from_definition(data: dict, where: str) -> dict:
    """The indicator's measure with its value, target, direction and unit taken from the
    shared definition it names: a scheme may not restate them, so it cannot disagree with the
    dashboards."""
    key = data.get("definition")
    if not key:
        return data
    if key not in shared.BY_KEY:
        raise SchemeError(f"{where}: no shared definition {key!r}")
    if restated := {"value", "target", "direction", "unit"} & set(data):
        raise SchemeError(f"{where}: {sorted(restated)} come from the definition {key!r}")
    d = shared.BY_KEY[key]
    if d.reference is None or not d.direction:
        raise SchemeError(f"{where}: the definition {key!r} has no target")
    return data | {
        "value": d.value.text,
        "target": d.reference.text,
        "direction": d.direction,
        "unit": d.scheme_unit,
    }


def _measure(data: dict, where: str) -> Measure:
    source = data.get("definition") and shared.BY_KEY.get(data["definition"])
    data = _from_definition(data, where)
    direction = data.get("direction", "at_least")
    if direction not in ("at_least", "at_most"):
        raise SchemeError(f"{where}: direction must be at_least or at_most")
    partial_data = data.get("partial", {})
    kind = partial_data.get("kind", "none")
    if kind not in ("none", "proportional", "linear"):
        raise SchemeError(f"{where}: partial kind {kind!r} is unknown")
    if kind == "proportional" and direction != "at_least":
        raise SchemeError(f"{where}: proportional credit needs direction at_least")
    if kind == "linear" and "zero_at" not in partial_data:
        raise SchemeError(f"{where}: linear credit needs zero_at")
    when = partial_data.get("when")
    partial = Partial(
        kind=kind,
        zero_at=_formula(partial_data["zero_at"], where) if "zero_at" in partial_data else None,
        when=_formula(when, where) if when else None,
        when_text=_text(partial_data, "when_text", where) if when else None,
        source=_text(partial_data, "source", where) if "source" in partial_data else None,
    )
    penalties = tuple(
        Penalty(_formula(p["when"], where), _decimal(p["points"], where), _text(p, "reason", where))
        for p in data.get("penalties", ())
    )
    also_met = tuple(
        AlsoMet(_formula(a["when"], where), _text(a, "text", where))
        for a in data.get("also_met", ())
    )
    order = tuple(data.get("order", DEFAULT_ORDER))
    if sorted(order) != sorted(STEPS):
        raise SchemeError(f"{where}: order must list each of {list(STEPS)} once")
    return Measure(
        value=_formula(data["value"], where),
        target=_formula(data["target"], where),
        direction=direction,
        partial=partial,
        penalties=penalties,
        unit=data.get("unit", ""),
        definition=data.get("definition", ""),
        also_met=also_met,
        order=order,
        source=(
            source.source
            if source
            else _text(data, "target_source", where)
            if "target_source" in data
            else None
        ),
    )


def _kinds(names: list[str], groups: dict[str, list[str]], where: str) -> frozenset[str]:
    kinds = set()
    for name in names:
        kinds |= set(groups.get(name, [name]))
    if unknown := kinds - KINDS:
        raise SchemeError(f"{where}: unknown institution kinds {sorted(unknown)}")
    return frozenset(kinds)


def _inputs(data: dict) -> dict[str, Input]:
    return {
        name: Input(
            name=name,
            source=spec["source"],
            label=_text(spec, "label", f"input {name}"),
            unit=spec.get("unit", ""),
            spec=spec.get("spec", ""),
            column=spec.get("column", ""),
            period=spec.get("period", "current"),
            weight=spec.get("weight", ""),
            where=tuple(spec.get("where", {}).items()),
        )
        for name, spec in data["inputs"].items()
    }


def _tolerances(data: dict) -> dict[str, Tolerance]:
    return {
        name: Tolerance(
            name=name,
            value=_decimal(spec["value"], f"tolerance {name}"),
            label=_text(spec, "label", f"tolerance {name}"),
            source=_text(spec, "source", f"tolerance {name}"),
            unit=spec.get("unit", ""),
        )
        for name, spec in data.get("tolerances", {}).items()
    }


def _indicator(
    item: dict, where: str, elements: dict[str, Text], inputs: dict[str, object], groups: dict
) -> Indicator:
    """One indicator of the scheme, its formulas reading declared inputs only."""
    if item.get("element") not in elements:
        raise SchemeError(f"{where}: element {item.get('element')!r} is not declared")
    measured = "value" in item or "definition" in item
    measure = _measure(item, where) if measured else None
    differentiated = (
        _measure(item["differentiated"], f"{where} (differentiated)")
        if "differentiated" in item
        else None
    )
    parts = tuple(
        Part(p["key"], _text(p, "name", where), _decimal(p["points"], where), _measure(p, where))
        for p in item.get("parts", ())
    )
    if parts and (
        measured
        or sum(p.points for p in parts) != _decimal(item["points"], where)
        or any(p.measure.penalties for p in parts)
    ):
        raise SchemeError(f"{where}: parts without penalties add up to its points, alone")
    for formula_owner in filter(None, (measure, differentiated, *(p.measure for p in parts))):
        names = set(formula_owner.names | formula_owner.conditions)
        if unknown := names - set(inputs):
            raise SchemeError(f"{where}: undeclared inputs {sorted(unknown)}")
    kind = item.get("kind", "regular")
    if kind not in ("regular", "bonus"):
        raise SchemeError(f"{where}: kind must be regular or bonus")
    return Indicator(
        code=item["code"],
        element=item["element"],
        name=_text(item, "name", where),
        kind=kind,
        applies_to=_kinds(item.get("applies_to", ["all"]), groups, where),
        points=_decimal(item["points"], where),
        floor=_decimal(item.get("floor", 0), where),
        measure=measure,
        differentiated=differentiated,
        guidance=_text(item, "guidance", where) if "guidance" in item else None,
        points_source=_text(item, "points_source", where) if "points_source" in item else None,
        parts=parts,
        source=_text(item, "source", where) if "source" in item else None,
    )


def _group(data: dict, inputs: dict[str, Input], version: str) -> GroupFigure | None:
    """The target groups' figure; a formula reading inputs that are not returns' is refused."""
    declared = {n for n, i in inputs.items() if i.source == "group"}
    if declared - {"group_value", "group_target"}:
        raise SchemeError(f"scheme {version}: group inputs are group_value and group_target")
    if "group" not in data:
        if declared:
            raise SchemeError(f"scheme {version}: group inputs need the group's figure")
        return None
    where = f"scheme {version}, group"
    spec = data["group"]
    formula = _formula(spec["figure"], where)
    summed = {n for n, i in inputs.items() if i.source == "return" and i.period == "current"}
    if outside := formula.names - summed:
        raise SchemeError(f"{where}: {sorted(outside)} are not this period's return inputs")
    return GroupFigure(
        formula=formula,
        label=_text(spec, "label", where),
        source=_text(spec, "source", where),
        unit=spec.get("unit", "%"),
    )


def parse_scheme(data: dict) -> Scheme:
    """A scheme from its parsed JSON, checked: every formula reads declared inputs only, and
    for every kind the regular points add up to ``regular_points`` and the totals fit the
    bounds."""
    version = str(data["version"])
    inputs = _inputs(data)
    tolerances = _tolerances(data)
    if clash := set(inputs) & set(tolerances):
        raise SchemeError(f"scheme {version}: {sorted(clash)} are both inputs and tolerances")
    elements = {code: _text(data["elements"], code, "elements") for code in data["elements"]}
    indicators = [
        _indicator(
            item,
            f"scheme {version}, indicator {item.get('code')}",
            elements,
            {**inputs, **tolerances},
            data.get("groups", {}),
        )
        for item in data["indicators"]
    ]
    bands = tuple(
        Band(
            int(b["grade"]),
            _decimal(b["minimum"], "bands") if b.get("minimum") is not None else None,
            _decimal(b["split"], "bands"),
        )
        for b in data["bands"]
    )
    scheme = Scheme(
        version=version,
        title=_text(data, "title", f"scheme {version}"),
        notice=_text(data, "notice", f"scheme {version}"),
        effective_from=int(data["effective_from"]),
        lower=_decimal(data["bounds"][0], "bounds"),
        upper=_decimal(data["bounds"][1], "bounds"),
        regular_points=_decimal(data["regular_points"], "regular_points"),
        regular_floor=_decimal(data["regular_floor"], "regular_floor"),
        escalation_grade=int(data["escalation_grade"]),
        bands_source=_text(data, "bands_source", f"scheme {version}"),
        consequences={
            int(grade): Consequence(tuple(c["measures"]), c.get("deadline_days"))
            for grade, c in data["consequences"]["grades"].items()
        },
        consequences_source=_text(data["consequences"], "source", f"scheme {version}"),
        tolerances=tolerances,
        elements=elements,
        inputs=inputs,
        indicators=tuple(indicators),
        bands=bands,
        group=_group(data, inputs, version),
    )
    _check_totals(scheme)
    return scheme


def _check_totals(scheme: Scheme) -> None:
    codes = [i.code for i in scheme.indicators]
    if len(codes) != len(set(codes)):
        raise SchemeError(f"scheme {scheme.version}: indicator codes repeat")
    minimums = [b.minimum for b in scheme.bands]
    above = [m for m in minimums[:-1] if m is not None]
    if minimums[-1] is not None or above != minimums[:-1] or above != sorted(above, reverse=True):
        raise SchemeError(f"scheme {scheme.version}: bands must fall, the last with no minimum")
    for kind in sorted(KINDS):
        applicable = scheme.applicable(kind)
        regular = sum((i.points for i in applicable if i.kind == "regular"), Decimal(0))
        if regular != scheme.regular_points:
            raise SchemeError(
                f"scheme {scheme.version}: regular points for {kind} add up to {regular}, "
                f"not {scheme.regular_points}"
            )
        highest = sum((i.points for i in applicable), Decimal(0))
        lowest = sum((i.lowest for i in applicable), Decimal(0))
        if highest > scheme.upper or lowest < scheme.lower:
            raise SchemeError(
                f"scheme {scheme.version}: {kind} can score {lowest} to {highest}, outside "
                f"[{scheme.lower}, {scheme.upper}]"
            )


@cache
def load(version: str) -> Scheme:
    path = SCHEME_DIR / f"{version}.json"
    if not path.exists():
        raise SchemeError(f"no scheme {version}")
    return parse_scheme(json.loads(path.read_text(encoding="utf-8")))


def versions() -> list[str]:
    return sorted(path.stem for path in SCHEME_DIR.glob("*.json"))


def for_period(period: str) -> Scheme:
    """The scheme in force for a period label (``2025Q3``): the newest effective by its year."""
    year = int(period[:4])
    schemes = [load(v) for v in versions()]
    usable = [s for s in schemes if s.effective_from <= year] or schemes[:1]
    return max(usable, key=lambda s: s.effective_from)
