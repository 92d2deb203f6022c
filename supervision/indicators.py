"""The notices' indicators, each defined once: what is measured (a formula over SME-LOANS
column sums), what it is compared with, which way is better, and where the rule comes from.

The dashboards (``supervision.dashboards.indicators``) and the evaluation schemes
(``supervision/evaluation/schemes/*.json``, an indicator's ``"definition"``) both read these
definitions, so a bank on target on its dashboard is on target on its scorecard for the same
figures (``tests/supervision/test_indicator_agreement.py`` holds them equal).

Formulas are written in ``supervision.formulas``'s language over these names:

- a column of SME-LOANS (``sme_balance``, ``credit_balance``...), summed over the filer's rows
  for the quarter; ``issued_rate`` is the weighted average rate of the loans issued this year;
- ``year_end_<column>``: the same at the previous year-end (the Q4 before the quarter);
- ``prior_<column>``: the same quarter a year before;
- ``lpr``: the one-year LPR in force; ``npl_tolerance``: how far the SME NPL ratio may exceed
  the all-loan NPL ratio, in percentage points (scheme data per year);
- ``financing_cost``: the average total financing cost of the loans issued this year, weighted
  as ``issued_rate`` is; ``weak_sme_balance``: the SME balance lent in the divisions listed as
  weak regions.

``DEFINITIONS`` are the headline's; ``NOTICE_DEFINITIONS`` what the notices measure beyond it
(the dashboards' panel "What the notices measure" and their ranking); ``BY_KEY`` holds both.

For the yearly evaluation (Q4 against the year before) the previous year-end and the same
quarter a year before are the same quarter: a quarter's dashboard and the year's scorecard
ask the same question of the same figures.

This module is neither a capability nor depends on one: capabilities may import it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from supervision.formulas import Formula

AT_LEAST = "at_least"  # higher is better: on target at or above the reference
AT_MOST = "at_most"  # lower is better: on target at or below the reference
LARGE_AND_JOINT_STOCK = frozenset({"large", "joint_stock"})
# The banks whose first-time borrowers are read as a share (large and joint-stock banks count
# them against last year's number instead).
OTHER_BANKS = frozenset(
    {
        "policy",
        "city_commercial",
        "rural_commercial",
        "rural_cooperative",
        "village",
        "private",
        "foreign",
        "other_bank",
    }
)


@dataclass(frozen=True)
class Text:
    """A Chinese and an English text; ``str()`` gives the one of the active language."""

    zh: str
    en: str

    def __str__(self) -> str:
        return self.en if (translation.get_language() or "zh").startswith("en") else self.zh

    def as_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


# Where a rule comes from, quoted on the dashboards and on the schemes' pages.
TWO_INCREASES = Text(
    "2023 年通知（二）“两增”：增速不低于各项贷款增速、有贷款余额户数不少于年初；"
    "2025 年通知 三（三）",
    'The 2023 notice (II), "two increases": growth not lower than all loans, borrowers not '
    "fewer than at the start of the year; the 2025 notice III(III)",
)
FIRST_TIME = Text(
    "2025 年通知：大型银行、股份制银行新发放首贷户多于上年",
    "The 2025 notice: large and joint-stock banks add more first-time borrowers than last year",
)
KEEP_RISING = Text(
    "2023 年通知、2025 年通知：结构占比持续提高（不低于上年末）",
    "The 2023 and 2025 notices: structural shares keep rising (not below the previous year-end)",
)
STABLE_RATE = Text(
    "2025 年通知“稳价”：新发放贷款利率稳中有降（不高于上年末）",
    'The 2025 notice, "stabilise prices": the new-loan rate stable or falling (not above the '
    "previous year-end)",
)
NPL_TOLERANCE = Text(
    "“两控”：普惠型小微企业不良率不高于各项贷款不良率加容忍度（容忍度为评价方案数据）",
    '"Two controls": the SME NPL ratio within all loans\' NPL ratio plus the tolerance (the '
    "tolerance is scheme data per year)",
)
KEY_AREA = Text(
    "2025 年通知 二（二）：支持向外贸、民营、科技、消费领域小微企业倾斜；"
    "制造业中长期贷款：2023 年通知（五）（不低于上年末）",
    "The 2025 notice II(II): support tilted toward small firms in foreign trade, private, "
    "technology and consumer fields; manufacturing medium/long-term loans: the 2023 notice (五) "
    "(not below the previous year-end)",
)


@dataclass(frozen=True)
class Definition:
    """One indicator: ``value`` and ``reference`` formulas, ``direction`` (AT_LEAST, AT_MOST,
    or "" for a figure shown against its reference with no target), the wording of the target
    and of the reference, the rule's ``source``, and the institution kinds the target binds
    (all when empty). ``unit`` is the dashboards' ("%", "万元", "户", "pt"), ``scheme_unit``
    the schemes' ("%", "pp", "10k", "borrowers")."""

    key: str
    label: Promise
    unit: str
    scheme_unit: str
    value: Formula[Decimal]
    reference: Formula[Decimal] | None = None
    direction: str = ""
    target: Promise | str = ""
    reference_label: Promise | str = ""
    source: Text | None = None
    binds: frozenset[str] = frozenset()

    @property
    def names(self) -> frozenset[str]:
        return self.value.names | (self.reference.names if self.reference else frozenset())

    def binds_kind(self, kind: str | None) -> bool:
        return kind is None or not self.binds or kind in self.binds

    def measure(
        self, values: Mapping[str, Decimal | None]
    ) -> tuple[Decimal | None, Decimal | None, bool | None]:
        """(value, reference, on target) for these named values: None for a figure that is
        missing or divides by zero, and for "on target" when either side is None or no target
        applies."""
        value = _evaluate(self.value, values)
        reference = _evaluate(self.reference, values) if self.reference else None
        return value, reference, on_target(self.direction, value, reference)


def on_target(direction: str, value: Decimal | None, reference: Decimal | None) -> bool | None:
    """Whether ``value`` meets ``reference`` in ``direction``: the one comparison both the
    dashboards and the schemes make."""
    if not direction or value is None or reference is None:
        return None
    return value >= reference if direction == AT_LEAST else value <= reference


def _evaluate(formula: Formula[Decimal], values: Mapping[str, Decimal | None]) -> Decimal | None:
    for name in formula.names:  # a loop, not any(): the General Bureau's page runs it 10^5 times
        if values.get(name) is None:
            return None
    try:
        return formula(values)  # type: ignore[arg-type]  # every name checked not None
    except ZeroDivisionError:
        return None


def _share(column: str, whole: str = "sme_balance", base: str = "year_end_") -> tuple[str, str]:
    return f"share({column}, {whole})", f"share({base}{column}, {base}{whole})"


def _define(key: str, label: Promise, unit: str, scheme_unit: str, value: str, **rest):
    reference = rest.pop("reference", None)
    return Definition(
        key,
        label,
        unit,
        scheme_unit,
        Formula.parse(value),
        Formula.parse(reference) if reference else None,
        **rest,
    )


YEAR_END = _("previous year-end")
NOT_BELOW_YEAR_END = _("not below the previous year-end")
KEY_AREAS = (
    ("individual_balance", _("Individual businesses")),
    ("foreign_trade_balance", _("Foreign trade")),
    ("technology_balance", _("Technology firms")),
    ("manufacturing_long_term", _("Manufacturing medium/long-term")),
    ("consumption_balance", _("Consumer services")),
)
_KEEP_RISING = {
    "direction": AT_LEAST,
    "target": NOT_BELOW_YEAR_END,
    "reference_label": YEAR_END,
    "source": KEEP_RISING,
}

DEFINITIONS: tuple[Definition, ...] = (
    _define(
        "sme_balance",
        _("Inclusive SME loan balance"),
        "万元",
        "10k",
        "sme_balance",
        reference="sme_balance_start",
        reference_label=_("start of year"),
    ),
    _define(
        "loan_growth",
        _("SME loan growth since the start of the year"),
        "%",
        "%",
        "growth(sme_balance, sme_balance_start)",
        reference="growth(all_balance, all_balance_start)",
        direction=AT_LEAST,
        target=_("not lower than all loans' growth"),
        reference_label=_("all loans' growth"),
        source=TWO_INCREASES,
    ),
    _define(
        "borrowers",
        _("SME borrowers with a balance"),
        "户",
        "borrowers",
        "borrowers",
        reference="borrowers_start",
        direction=AT_LEAST,
        target=_("not fewer than at the start of the year"),
        reference_label=_("start of year"),
        source=TWO_INCREASES,
    ),
    _define(
        "first_time",
        _("First-time borrowers this year"),
        "户",
        "borrowers",
        "first_time",
        reference="prior_first_time",
        direction=AT_LEAST,
        target=_("more than last year (large and joint-stock banks)"),
        reference_label=_("same quarter last year"),
        source=FIRST_TIME,
        binds=LARGE_AND_JOINT_STOCK,
    ),
    _define(
        "first_time_share",
        _("First-time borrowers as a share of borrowers"),
        "%",
        "%",
        _share("first_time", "borrowers", "prior_")[0],
        reference=_share("first_time", "borrowers", "prior_")[1],
        direction=AT_LEAST,
        target=_("not below the same quarter last year"),
        reference_label=_("same quarter last year"),
        source=KEEP_RISING,
        binds=OTHER_BANKS,
    ),
    _define(
        "credit_share",
        _("Credit (unsecured) loan share"),
        "%",
        "%",
        _share("credit_balance")[0],
        reference=_share("credit_balance")[1],
        **_KEEP_RISING,
    ),
    _define(
        "long_term_share",
        _("Medium/long-term loan share"),
        "%",
        "%",
        _share("long_term_balance")[0],
        reference=_share("long_term_balance")[1],
        **_KEEP_RISING,
    ),
    _define(
        "renewal_share",
        _("Renewal without repayment of principal as a share of SME loans"),
        "%",
        "%",
        _share("renewal_balance")[0],
        reference=_share("renewal_balance")[1],
        **_KEEP_RISING,
    ),
    _define(
        "new_loan_rate",
        _("Average rate of loans issued this year"),
        "%",
        "%",
        "issued_rate",
        reference="year_end_issued_rate",
        direction=AT_MOST,
        target=_("stable or falling: not above the previous year-end"),
        reference_label=YEAR_END,
        source=STABLE_RATE,
    ),
    _define(
        "rate_spread",
        _("Spread over the one-year LPR"),
        "pt",
        "pp",
        "issued_rate - lpr",
        reference="lpr",
        reference_label=_("one-year LPR"),
    ),
    _define(
        "npl_ratio",
        _("Inclusive SME NPL ratio"),
        "%",
        "%",
        "share(sme_npl, sme_balance)",
        reference="share(all_npl, all_balance) + npl_tolerance",
        direction=AT_MOST,
        target=_("within all loans' NPL ratio plus the tolerance"),
        reference_label=_("all loans' NPL ratio plus the tolerance"),
        source=NPL_TOLERANCE,
    ),
    *(
        _define(
            key,
            label,
            "万元",
            "10k",
            key,
            reference=f"year_end_{key}",
            **(_KEEP_RISING | {"source": KEY_AREA}),
        )
        for key, label in KEY_AREAS
    ),
)


def _notice(key: str, label: Promise, unit: str, value: str, source: Text, **rest) -> Definition:
    """A notice indicator compared with the previous year-end unless ``rest`` says otherwise:
    kept rising by default, ``direction=""`` for a figure shown without a target."""
    reference = rest.pop("reference", f"year_end_{value}" if value.isidentifier() else None)
    settings = {**_KEEP_RISING, "source": source, "reference": reference, **rest}
    scheme_unit = {"万元": "10k", "户": "borrowers"}.get(unit, unit)
    return _define(key, label, unit, scheme_unit, value, **settings)


_NOT_ABOVE_YEAR_END = {"direction": AT_MOST, "target": _("not above the previous year-end")}
_SHOWN = {"direction": "", "target": ""}
# What the notices measure beyond the headline (the dashboards' panel "What the notices
# measure"): the revised SME-LOANS versions' columns, the SME share of all loans and the share
# lent in weak regions. ``financing_cost`` is the average total cost of the loans issued this
# year weighted by the amounts issued (rows without the cost carry no weight), as ``issued_rate``
# is the weighted rate; ``weak_sme_balance`` the SME balance lent in the divisions listed as
# weak regions.
NOTICE_DEFINITIONS: tuple[Definition, ...] = (
    _notice(
        "sme_share",
        _("SME share of all loans"),
        "%",
        _share("sme_balance", "all_balance")[0],
        Text(
            "2023年通知（十二）（小微贷款占比较低的地方法人银行提高占比）",
            "2023 notice, item 12 (local banks with a low SME share raise it)",
        ),
        reference=_share("sme_balance", "all_balance")[1],
    ),
    _notice(
        "weak_region_share",
        _("Share of SME loans in weak regions"),
        "%",
        _share("weak_sme_balance")[0],
        Text(
            "2023年通知（十一）（大型银行向薄弱地区倾斜）",
            "2023 notice, item 11 (large banks lean toward weak regions)",
        ),
        reference=_share("weak_sme_balance")[1],
    ),
    _notice(
        "private_balance",
        _("Private enterprises"),
        "万元",
        "private_balance",
        Text("2025年通知 二（二）", "2025 notice II(II)"),
    ),
    _notice(
        "hard_hit_balance",
        _("Hard-hit sectors"),
        "万元",
        "hard_hit_balance",
        Text("2023年通知（四）", "2023 notice, item 4"),
    ),
    _notice(
        "specialised_balance",
        _("Specialised and innovative (专精特新)"),
        "万元",
        "specialised_balance",
        Text("2023年通知（五）", "2023 notice, item 5"),
    ),
    _notice(
        "green_balance",
        _("Green loans"),
        "万元",
        "green_balance",
        Text("2023年通知（五）；2022年长效机制（18）", "2023 notice, item 5; 2022 mechanism (18)"),
    ),
    _notice(
        "agri_balance",
        _("Agriculture-related loans"),
        "万元",
        "agri_balance",
        Text("2022年长效机制（10）", "2022 mechanism (10)"),
    ),
    _notice(
        "individual_borrowers",
        _("Individual businesses with a loan"),
        "户",
        "individual_borrowers",
        Text("2023年通知（六）", "2023 notice, item 6"),
    ),
    _notice(
        "large_credit_balance",
        _("Loans to SMEs with credit over 10 million"),
        "万元",
        "large_credit_balance",
        Text("2023年通知（七）", "2023 notice, item 7"),
        **_SHOWN,
    ),
    _notice(
        "large_credit_borrowers",
        _("SMEs with credit over 10 million"),
        "户",
        "large_credit_borrowers",
        Text("2023年通知（七）", "2023 notice, item 7"),
        **_SHOWN,
    ),
    _notice(
        "financing_cost",
        _("Average total financing cost of loans issued this year"),
        "%",
        "financing_cost",
        Text("2023年通知（八）；2025年通知 三（四）", "2023 notice, item 8; 2025 notice III(IV)"),
        **_NOT_ABOVE_YEAR_END,
    ),
    _notice(
        "fees_share",
        _("Fees charged per 100 yuan issued this year"),
        "%",
        _share("fees_ytd", "issued_ytd")[0],
        Text("2023年通知（八）；2025年通知 三（四）", "2023 notice, item 8; 2025 notice III(IV)"),
        reference=_share("fees_ytd", "issued_ytd")[1],
        **_NOT_ABOVE_YEAR_END,
    ),
    _notice(
        "npl_write_off_ytd",
        _("SME NPLs written off this year"),
        "万元",
        "npl_write_off_ytd",
        Text("2023年通知（十）；2025年通知（九）", "2023 notice, item 10; 2025 notice (IX)"),
        reference="prior_npl_write_off_ytd",
        reference_label=_("same quarter last year"),
        **_SHOWN,
    ),
)
BY_KEY = {d.key: d for d in (*DEFINITIONS, *NOTICE_DEFINITIONS)}


def definition(key: str) -> Definition:
    return BY_KEY[key]
