"""What validation finds: one ``Finding`` per rule that was broken, with its count and the
first examples. A rule with a million hits keeps its count and ``EXAMPLE_LIMIT`` examples."""

from dataclasses import dataclass, field
from typing import Any

from reporting.rulebook import rule as generic_rule
from reporting.spec import Rule

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
