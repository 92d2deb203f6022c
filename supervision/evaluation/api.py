"""The evaluation in the API, read-only: the evaluations a user sees, each with its result line
by line and the reason for every line's points in both languages. The offices above an
institution's head office see its evaluations in every state; its own officers see them once
notified, as on the pages (``selectors.results_shown``)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.routers import BaseRouter

from portal.api import ScopedViewSet
from supervision.evaluation.models import Evaluation
from supervision.evaluation.rectification_models import PlanEvidence, PlanItem, RectificationPlan
from supervision.evaluation.selectors import results_shown
from supervision.evaluation.sentences import sentence


class LineSerializer(serializers.Serializer):
    """One indicator of a stored result (``scoring.Result.as_dict``'s lines)."""

    code = serializers.CharField()
    element = serializers.CharField()
    kind = serializers.CharField()
    max_points = serializers.DecimalField(max_digits=7, decimal_places=2)
    points = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    value = serializers.CharField(allow_null=True, help_text="the indicator's value")
    target = serializers.CharField(allow_null=True)
    unit = serializers.CharField(allow_blank=True)
    met = serializers.BooleanField(allow_null=True, help_text="on target; null: not measured")
    missing = serializers.ListField(
        child=serializers.CharField(), default=list, help_text="inputs without data"
    )
    differentiated = serializers.BooleanField(default=False)
    reason_zh = serializers.SerializerMethodField()
    reason_en = serializers.SerializerMethodField()

    def get_reason_zh(self, line: dict) -> str:
        return sentence(line["reason"], "zh")

    def get_reason_en(self, line: dict) -> str:
        return sentence(line["reason"], "en")


class EvaluationSerializer(serializers.ModelSerializer):
    credit_code = serializers.CharField(source="institution.credit_code", read_only=True)
    lines = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "institution",
            "credit_code",
            "period",
            "scheme_version",
            "status",
            "total",
            "regular",
            "grade",
            "band",
            "complete",
            "scored_at",
            "confirmed_at",
            "notified_at",
            "lines",
        ]

    @extend_schema_field(LineSerializer(many=True))
    def get_lines(self, evaluation: Evaluation) -> list[dict]:
        # many=True makes a ListSerializer, not the LineSerializer that the stubs say.
        listed: serializers.BaseSerializer = LineSerializer(
            evaluation.result.get("lines", []), many=True
        )
        return listed.data


class EvaluationViewSet(ScopedViewSet):
    queryset = Evaluation.objects.select_related("institution").order_by("-period", "id")
    serializer_class = EvaluationSerializer
    filterset_fields = ["period", "status", "grade", "institution"]

    def get_queryset(self):
        return results_shown(self.request.user, self.queryset)


class PlanItemSerializer(serializers.ModelSerializer):
    evidence: serializers.SlugRelatedField[PlanEvidence] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="original_name", help_text="the files' names"
    )

    class Meta:
        model = PlanItem
        fields = [
            "code",
            "gap",
            "lost",
            "action",
            "deadline",
            "status",
            "report",
            "reported_at",
            "office_note",
            "closed_at",
            "evidence",
        ]


class RectificationPlanSerializer(serializers.ModelSerializer):
    institution = serializers.IntegerField(source="evaluation.institution_id", read_only=True)
    period = serializers.CharField(source="evaluation.period", read_only=True)
    items = PlanItemSerializer(many=True, read_only=True)

    class Meta:
        model = RectificationPlan
        fields = [
            "id",
            "evaluation",
            "institution",
            "period",
            "status",
            "filed_at",
            "closed_at",
            "items",
        ]


class RectificationPlanViewSet(ScopedViewSet):
    """The rectification plans a grade 4 asked for: the bank's own, and those of the banks
    under the user's offices, item by item."""

    queryset = (
        RectificationPlan.objects.select_related("evaluation")
        .prefetch_related("items__evidence")
        .order_by("-filed_at", "id")
    )
    serializer_class = RectificationPlanSerializer
    filterset_fields = ["status", "evaluation"]


def register(router: BaseRouter) -> None:
    router.register("evaluations", EvaluationViewSet, basename="evaluation")
    router.register("rectification-plans", RectificationPlanViewSet, basename="rectification-plan")
