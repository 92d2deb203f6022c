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


class _BlankMissing(dict):
    """Placeholders a rule uses but an issue does not supply render as ""."""

    def __missing__(self, key: str) -> str:
        return ""


def _example_dict(example: Example | dict[str, Any]) -> dict[str, Any]:
    return example.as_dict() if isinstance(example, Example) else example


def render_message(
    rule: Rule,
    example: Example | dict[str, Any] | None,
    spec: ReturnSpec | None = None,
    lang: str = "zh",
) -> str:
    """The rule's message in ``lang`` with {column} {value} {sheet} and the example's params
    filled in. ``{column}`` becomes the column's heading when it names a column of ``spec``."""
    lang = "zh" if lang.lower().startswith("zh") else "en"
    found = _example_dict(example) if example is not None else {}
    params = found.get("params") or {}
    # A reader's explicit placeholder wins over the cell's own sheet and value.
    raw = {"sheet": found.get("sheet"), "value": found.get("value"), **params}
    column = params.get("column", found.get("column"))
    if spec is not None and column in spec.column_keys:
        picked = spec.column(column)
        column = picked.heading_zh if lang == "zh" else picked.heading_en
    raw["column"] = column
    values = _BlankMissing({k: "" if v is None else str(v) for k, v in raw.items()})
    template = rule.message(lang)
    try:
        return template.format_map(values)
    except (ValueError, IndexError, AttributeError):
        # A malformed message must not hide the issue: show the text as written.
        return template
