"""Every rule's message is filled in both languages (issue 15, item 4), and cross-period rules
never fire where no earlier figure exists: they say once that the comparison was skipped."""

import re

import polars as pl
import pytest

from reporting import reader, rulebook
from reporting.findings import Example, Finding, render_message
from reporting.rules import Context, apply_rules
from reporting.specs import ALL
from reporting.views.filings import _headline
from tests.reporting.returns import LOANS, loan_row, workbook

SAMPLE = {
    "column": "sme_balance",
    "value": "12.5",
    "sheet": "普惠小微贷款",
    "expected": "900.00",
    "found": "3",
    "limit": "3.0",
    "detail": "B4, C7",
    "rules": "SL-V101, SL-V109",
    "row": "4",
    "cell": "B4",
    "kind": {"zh": "空文件", "en": "an empty file"},
    "fix": {"zh": "请重新保存。", "en": "save it again."},
}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def every_rule():
    seen = {}
    for spec in ALL:
        for rule in (*spec.rules, *rulebook.GENERIC_RULES.values()):
            seen.setdefault((spec.ident, rule.code), (spec, rule))
    return list(seen.values())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_message_renders_with_no_placeholder_left(lang):
    for spec, rule in every_rule():
        used = set(PLACEHOLDER.findall(rule.message(lang)))
        assert used <= set(SAMPLE), f"{rule.code} uses unknown placeholders {used - set(SAMPLE)}"
        text = render_message(rule, Example(sheet="S", value="12.5", params=SAMPLE), spec, lang)
        assert "{" not in text and "}" not in text, f"{rule.code}: {text}"


class _Hit:
    def __init__(self, examples):
        self.count, self.examples = len(examples), [e.as_dict() for e in examples]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_rule_s_headline_over_many_hits_has_no_raw_placeholder(lang):
    for spec, rule in every_rule():
        hit = _Hit(
            [
                Example(row=3, column="sme_balance", value="1", params={**SAMPLE, "found": "3"}),
                Example(row=4, column="sme_balance", value="2", params={**SAMPLE, "found": "4"}),
            ]
        )
        text = _headline(rule, hit, spec, lang)
        assert "{" not in text and "}" not in text, f"{rule.code}: {text}"


def _previous(**values):
    return pl.DataFrame(
        [loan_row("350102", **values)], schema=list(LOANS.column_keys), orient="row"
    ).with_columns(pl.col(c.key).cast(pl.Float64, strict=False) for c in LOANS.columns[1:])


def _check(tmp_path, rows, previous):
    table = reader.read_return(workbook(tmp_path / "cp.xlsx", rows), LOANS)
    context = Context.defaults()
    context.previous = previous
    return {f.rule.code: f for f in apply_rules(table, context)}


def test_cross_period_rules_skip_a_county_with_no_earlier_figure_and_say_so_once(tmp_path):
    # the earlier return's year-end equals this one's start of year for 350102
    earlier = _previous(sme_balance=900, all_balance=2800, borrowers=100)
    rows = [loan_row("350102"), loan_row("350103"), loan_row("350104")]
    found = _check(tmp_path, rows, earlier)
    assert not {"SL-C301", "SL-C302", "SL-C303"} & set(found)
    skipped = found["N002"]
    assert len(skipped.examples) == 1 and skipped.count == 2
    text = render_message(skipped.rule, skipped.examples[0], LOANS, "en")
    assert "350103" in text and "{" not in text


def test_cross_period_rules_still_compare_where_an_earlier_figure_exists(tmp_path):
    earlier = _previous(sme_balance=950, all_balance=2800, borrowers=100)
    found = _check(tmp_path, [loan_row("350102")], earlier)
    assert set(found) == {"SL-C301"}
    example = found["SL-C301"].examples[0]
    text = render_message(found["SL-C301"].rule, example, LOANS, "en")
    assert "950" in text


def test_with_no_earlier_return_at_all_the_comparison_is_skipped_once(tmp_path):
    empty = _previous().clear()
    found = _check(tmp_path, [loan_row("350102"), loan_row("350103")], empty)
    assert set(found) == {"N002"}
    assert isinstance(found["N002"], Finding) and len(found["N002"].examples) == 1
