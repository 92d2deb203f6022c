"""What an evaluation result becomes for people: the scorecard's rows (each indicator with its
inputs, value, target, points and the sentence saying why), its trend over periods, and the
ranking and scorecard workbooks (bilingual headings, text cells that cannot run as formulas)."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation

from portal.models import InstitutionKind
from reporting.workbooks import Sheet, bilingual, both, rows_workbook
from supervision.evaluation import scheme as schemes
from supervision.evaluation.models import Evaluation, EvaluationStatus
from supervision.evaluation.scheme import Scheme
from supervision.evaluation.scoring import Line, Result, result_from_dict
from supervision.evaluation.sentences import sentence, shown


@dataclass(frozen=True)
class Row:
    code: str
    element: str
    name: str
    kind: str
    inputs: list[tuple[str, str]]  # (label, value with unit)
    value: str
    target: str
    points: Decimal | None
    max_points: Decimal
    why: str
    met: bool | None
    missing: bool
    differentiated: bool
    adjusted: bool
    qualitative: bool


def _lang() -> str:
    return "en" if (translation.get_language() or "zh").startswith("en") else "zh"


def _pick(pair: dict, lang: str) -> str:
    return pair["en"] if lang == "en" else pair["zh"]


def rows(scheme: Scheme, result: Result, lang: str | None = None) -> list[Row]:
    lang = lang or _lang()
    out = []
    for line in result.lines:
        indicator = scheme.indicator(line.code)
        out.append(
            Row(
                code=line.code,
                element=_pick(scheme.elements[line.element].as_dict(), lang),
                name=_pick(indicator.name.as_dict(), lang),
                kind=line.kind,
                inputs=[
                    (
                        _pick(scheme.named(name).label.as_dict(), lang),
                        _pick(shown(value, scheme.named(name).unit), lang),
                    )
                    for name, value in line.inputs.items()
                ],
                value=_shown_or_blank(line, line.value, lang),
                target=_shown_or_blank(line, line.target, lang),
                points=line.points,
                max_points=line.max_points,
                why=sentence(line.reason, lang),
                met=line.met,
                missing=not line.scored,
                differentiated=line.differentiated,
                adjusted=line.computed is not None or "computed" in line.reason["params"],
                qualitative=indicator.qualitative,
            )
        )
    return out


def _shown_or_blank(line: Line, value: Decimal | None, lang: str) -> str:
    return _pick(shown(value, line.unit), lang) if value is not None else ""


@dataclass(frozen=True)
class Trend:
    periods: list[str]
    totals: list[str]
    grades: list[str]
    indicators: list[tuple[str, str, list[str]]]  # (code, name, points per period)


def trend(scheme: Scheme, evaluations: Iterable[Evaluation], lang: str | None = None) -> Trend:
    """Total, grade and each indicator's points over the given evaluations (oldest first)."""
    lang = lang or _lang()
    evaluations = [e for e in evaluations if e.result]
    by_period = [(e.period, result_from_dict(e.result)) for e in evaluations]
    codes: dict[str, str] = {}
    for _, result in by_period:
        for line in result.lines:
            if line.code not in codes:
                try:
                    codes[line.code] = _pick(scheme.indicator(line.code).name.as_dict(), lang)
                except KeyError:  # an indicator of another year's scheme
                    codes[line.code] = line.code
    indicators = []
    for code, name in codes.items():
        cells = []
        for _, result in by_period:
            points = next((ln.points for ln in result.lines if ln.code == code), None)
            cells.append("" if points is None else f"{points.normalize():f}")
        indicators.append((code, name, cells))
    return Trend(
        periods=[p for p, _ in by_period],
        totals=[f"{r.total.normalize():f}" for _, r in by_period],
        grades=[r.label for _, r in by_period],
        indicators=indicators,
    )


# -- workbooks -------------------------------------------------------------------------------


RANKING_COLUMNS = [
    ("名次", "Rank"),
    ("机构", "Institution"),
    ("统一社会信用代码", "Credit code"),
    ("机构类型", "Institution type"),
    ("监管部门", "Supervising office"),
    ("报告期", "Period"),
    ("评价方案", "Scheme"),
    ("总分", "Total"),
    ("常规指标得分", "Regular points"),
    ("等级", "Grade"),
    ("状态", "Status"),
    ("缺少数据的指标", "Indicators missing inputs"),
]
RANKING_WIDTHS = [6, 34, 22, 22, 24, 9, 8, 8, 10, 7, 22, 30]


def ranking_workbook(evaluations: Iterable[Evaluation]) -> bytes:
    """The ranking as shown (rank by total), written row by row."""
    kinds = {value: bilingual(label) for value, label in InstitutionKind.choices}
    statuses = {value: bilingual(label) for value, label in EvaluationStatus.choices}

    def row(rank: int, evaluation: Evaluation) -> list:
        missing = [ln["code"] for ln in evaluation.result.get("lines", []) if ln["points"] is None]
        return [
            rank,
            evaluation.institution.name_zh,
            evaluation.institution.credit_code,
            kinds[evaluation.institution.kind],
            evaluation.institution.office.name_zh,
            evaluation.period,
            evaluation.scheme_version,
            evaluation.total,
            evaluation.regular,
            evaluation.grade_label,
            statuses[evaluation.status],
            " ".join(missing),
        ]

    lines = (row(rank, evaluation) for rank, evaluation in enumerate(evaluations, start=1))
    headings = [both(c) for c in RANKING_COLUMNS]
    return rows_workbook(Sheet("评价排名 Ranking", headings, lines, RANKING_WIDTHS))


SCORECARD_COLUMNS = [
    ("要素", "Element"),
    ("指标", "Indicator"),
    ("编号", "Code"),
    ("所用数据", "Inputs"),
    ("实际值", "Value"),
    ("目标值", "Target"),
    ("得分", "Points"),
    ("满分", "Maximum"),
    ("说明（中文）", "Why (Chinese)"),
    ("说明（英文）", "Why (English)"),
]


def scorecard_workbook(evaluation: Evaluation) -> bytes:
    """One institution's scorecard: a summary and every indicator in both languages."""
    scheme = schemes.load(evaluation.scheme_version)
    result = result_from_dict(evaluation.result)
    summary = [
        (both(label), value)
        for label, value in (
            (("机构", "Institution"), evaluation.institution.name_zh),
            (("报告期", "Period"), evaluation.period),
            (("评价方案", "Scheme"), f"{scheme.title.zh} / {scheme.title.en}"),
            (("总分", "Total"), result.total),
            (("常规指标得分", "Regular points"), result.regular),
            (("加分", "Bonus"), result.bonus),
            (("等级", "Grade"), result.label),
            (("状态", "Status"), bilingual(evaluation.get_status_display())),
        )
    ]
    chinese, english = rows(scheme, result, "zh"), rows(scheme, result, "en")
    lines = [
        [
            zh.element,
            f"{zh.name} / {en.name}",
            zh.code,
            "; ".join(f"{label}: {value}" for label, value in zh.inputs),
            zh.value,
            zh.target,
            zh.points,
            zh.max_points,
            zh.why,
            en.why,
        ]
        for zh, en in zip(chinese, english, strict=True)
    ]
    return rows_workbook(
        Sheet("概要 Summary", ["项目 Item", "内容 Value"], summary, [30, 60]),
        Sheet(
            "指标 Indicators",
            [both(c) for c in SCORECARD_COLUMNS],
            lines,
            [16, 30, 7, 50, 14, 14, 8, 8, 50, 50],
        ),
    )
