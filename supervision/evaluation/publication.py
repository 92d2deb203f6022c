"""The result a bank publishes (the domain notes: "banks publish their result"): its notified
scorecard as a workbook fit to publish, one sheet in Chinese and one in English, with the
grade, the points of each element and indicator, and nothing of the office's working (no
inputs, notes, adjustments' reasons or history)."""

from collections import defaultdict
from decimal import Decimal

from reporting.workbooks import Sheet, rows_workbook
from supervision.evaluation import scheme as schemes
from supervision.evaluation.models import Evaluation
from supervision.evaluation.scoring import result_from_dict

WORDS = {
    "zh": {
        "sheet": "评价结果公布",
        "head": ["项目", "内容"],
        "institution": "机构",
        "year": "评价年度",
        "scheme": "评价方案",
        "total": "总分",
        "grade": "评价等级",
        "element": "要素",
        "indicator": "指标",
        "points": "得分 / 满分",
    },
    "en": {
        "sheet": "Published result",
        "head": ["Item", "Value"],
        "institution": "Institution",
        "year": "Year evaluated",
        "scheme": "Scheme",
        "total": "Total",
        "grade": "Grade",
        "element": "Element",
        "indicator": "Indicator",
        "points": "Points / maximum",
    },
}


def _sheet(evaluation: Evaluation, lang: str) -> Sheet:
    scheme = schemes.load(evaluation.scheme_version)
    result = result_from_dict(evaluation.result)
    words = WORDS[lang]

    def pick(text) -> str:
        return text.zh if lang == "zh" else text.en

    institution = evaluation.institution
    name = institution.name_zh if lang == "zh" else (institution.name_en or institution.name_zh)
    rows: list[list] = [
        [words["institution"], name],
        [words["year"], evaluation.period],
        [words["scheme"], pick(scheme.title)],
        [words["total"], result.total],
        [words["grade"], result.label],
        [],
        [words["element"], words["points"]],
    ]
    by_element: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in result.lines:
        held = by_element[line.element]
        held[0] += line.points or 0
        held[1] += line.max_points
    for element, (points, most) in by_element.items():
        rows.append([pick(scheme.elements[element]), f"{points} / {most}"])
    rows += [[], [words["indicator"], words["points"]]]
    for line in result.lines:
        indicator = f"{pick(scheme.indicator(line.code).name)} ({line.code})"
        rows.append([indicator, f"{line.points} / {line.max_points}"])
    title = f"{words['sheet']} {evaluation.period}"
    return Sheet(title, words["head"], rows, [40, 60])


def publication_workbook(evaluation: Evaluation) -> bytes:
    """A notified result, in Chinese and in English, ready to publish."""
    return rows_workbook(_sheet(evaluation, "zh"), _sheet(evaluation, "en"))
