"""What follows a grade, as each scheme says (its ``consequences``): for grade 3, targeted
improvement requirements with a deadline and closer supervision; for grade 4, in addition a
supervisory talk with the principal officer and a rectification plan. And the gap list a bank
closes item by item: the points each indicator lost, with the reason."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext, gettext_lazy

from portal import scoping
from supervision.evaluation import scheme as schemes
from supervision.evaluation.models import Evaluation, EvaluationStatus
from supervision.evaluation.scheme import Scheme
from supervision.evaluation.scoring import Result
from supervision.evaluation.sentences import quantize, sentence

MEASURES = {
    "improvement_requirements": gettext_lazy("Targeted improvement requirements"),
    "closer_supervision": gettext_lazy("Closer supervision"),
    "supervisory_talk": gettext_lazy("A supervisory talk with the principal officer"),
    "rectification_plan": gettext_lazy(
        "A time-limited rectification plan, filed item by item and followed by the office"
    ),
}


@dataclass(frozen=True)
class Gap:
    code: str
    name: str
    lost: Decimal
    why: str

    @property
    def text(self) -> str:
        return gettext("lost %(lost)s points on %(code)s: %(why)s") % {
            "lost": self.lost,
            "code": self.code,
            "why": self.why,
        }


def gaps(scheme: Scheme, result: Result) -> list[Gap]:
    """Every scored regular indicator that gave less than its points, the most lost first
    (a bonus not earned is no gap)."""
    found = []
    for line in result.lines:
        if line.kind == "bonus" or line.points is None or line.points >= line.max_points:
            continue
        name = str(scheme.indicator(line.code).name)
        lost = quantize(line.max_points - line.points)
        found.append(Gap(line.code, name, lost, sentence(line.reason)))
    return sorted(found, key=lambda gap: (-gap.lost, gap.code))


def measures(evaluation: Evaluation) -> list[str]:
    """The consequences of a confirmed grade under its scheme (none before confirmation)."""
    if not evaluation.is_frozen or evaluation.grade is None:
        return []
    return list(schemes.load(evaluation.scheme_version).consequence(evaluation.grade).measures)


def under_closer_supervision(user) -> QuerySet:
    """The evaluations ``user`` sees whose confirmed grade puts the institution under closer
    supervision (the schemes say so for grades 3 and 4), each institution's latest year only."""
    visible = scoping.visible(user, Evaluation).filter(status__in=EvaluationStatus.frozen())
    latest = visible.order_by("institution_id", "-period").values_list(
        "pk", "institution_id", "grade", "scheme_version"
    )
    seen: set[int] = set()
    chosen = []
    for pk, institution_id, grade, version in latest:
        if institution_id in seen:
            continue
        seen.add(institution_id)
        if "closer_supervision" in schemes.load(version).consequence(grade).measures:
            chosen.append(pk)
    return visible.filter(pk__in=chosen)
