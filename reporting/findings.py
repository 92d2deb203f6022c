"""What validation finds: one ``Finding`` per rule that was broken, with its count and the
first examples. A rule with a million hits keeps its count and ``EXAMPLE_LIMIT`` examples."""

from dataclasses import dataclass, field
from typing import Any

from reporting.rulebook import rule as generic_rule
from reporting.spec import ReturnSpec, Rule

EXAMPLE_LIMIT = 300


@dataclass(frozen=True)
class Example:
    sheet: str = ""
    row: int | None = None  # the row number as Excel shows it
    column: str = ""  # the spec's column key
    cell: str = ""  # e.g. "C12"
    value: str = ""
    params: dict[str, Any] = field(default_factory=dict)  # extra message placeholders

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "value": self.value,
            "params": self.params,
        }


@dataclass
class Finding:
    rule: Rule
    count: int = 0
    examples: list[Example] = field(default_factory=list)

    def add(self, example: Example) -> None:
        self.count += 1
        if len(self.examples) < EXAMPLE_LIMIT:
            self.examples.append(example)


class FileRejected(Exception):
    """The file cannot be read as this return at all; ``findings`` say why."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("; ".join(f.rule.code for f in findings))

    @classmethod
    def because(cls, code: str, sheet: str = "", **params: Any) -> "FileRejected":
        finding = Finding(generic_rule(code))
        finding.add(Example(sheet=sheet, params=params))
        return cls([finding])


GAP = "…"  # a placeholder whose value differs between the examples a summary covers


class _Filled(dict):
    """Placeholders a rule uses but an example does not supply render as ``gap``: "" for one
    example, "…" in a summary, where the examples differ."""

    def __init__(self, values: dict, gap: str):
        super().__init__(values)
        self.gap = gap

    def __missing__(self, key: str) -> str:
        return self.gap


def _example_dict(example: Example | dict[str, Any]) -> dict[str, Any]:
    return example.as_dict() if isinstance(example, Example) else example


def _values(example: Example | dict[str, Any], spec: ReturnSpec | None, lang: str) -> dict:
    """What an example fills in: {column} {value} {sheet} {row} {cell} and its params;
    ``{column}`` becomes the column's heading when it names a column of ``spec``."""
    found = _example_dict(example)
    params = found.get("params") or {}
    # A reader's explicit placeholder wins over the cell's own sheet and value.
    raw = {key: found.get(key) for key in ("sheet", "value", "row", "cell")}
    raw.update(params)
    column = params.get("column", found.get("column"))
    if spec is not None and column in spec.column_keys:
        picked = spec.column(column)
        column = picked.heading_zh if lang == "zh" else picked.heading_en
    raw["column"] = column
    # A placeholder given in both languages ({"zh": ..., "en": ...}) is filled in the reader's.
    raw = {k: v.get(lang, "") if isinstance(v, dict) else v for k, v in raw.items()}
    return {k: "" if v is None else str(v) for k, v in raw.items()}


def _format(rule: Rule, values: dict, lang: str, gap: str = "") -> str:
    template = rule.message(lang)
    for name, zh, en in rule.fallback:
        if not values.get(name):
            values = {**values, name: zh if lang == "zh" else en}
    try:
        return template.format_map(_Filled(values, gap))
    except (ValueError, IndexError, AttributeError):
        # A malformed message must not hide the issue: show the text as written.
        return template


def render_message(
    rule: Rule,
    example: Example | dict[str, Any] | None,
    spec: ReturnSpec | None = None,
    lang: str = "zh",
) -> str:
    """The rule's message in ``lang`` filled in from ``example``; with no example, its summary."""
    lang = "zh" if lang.lower().startswith("zh") else "en"
    if example is None:
        return render_summary(rule, [], spec, lang)
    return _format(rule, _values(example, spec, lang), lang)


def render_summary(
    rule: Rule, examples: list, spec: ReturnSpec | None = None, lang: str = "zh"
) -> str:
    """The rule's message over many hits: a placeholder every example fills alike (the column,
    the LPR) is filled in, the others read "…", since each example says its own value."""
    lang = "zh" if lang.lower().startswith("zh") else "en"
    filled = [_values(example, spec, lang) for example in examples[:50]]
    agreed = {
        key: value
        for key, value in (filled[0].items() if filled else ())
        if value and all(other.get(key) == value for other in filled[1:])
    }
    return _format(rule, agreed, lang, GAP)
