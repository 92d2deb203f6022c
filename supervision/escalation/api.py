"""Escalation in the API: the cases an office sees (with their causes), and the rectification
notices both sides see (with the answers and the office's decisions), which the institution
answers here as on the notice page."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from portal.api import ScopedViewSet, answer_refusals
from portal.idempotency import idempotent
from portal.models import Office
from supervision.escalation import services as escalation
from supervision.escalation.models import (
    Case,
    CaseCause,
    NoticeResponse,
    RectificationNotice,
    ResponseEvidence,
)


class CauseSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseCause
        fields = ["kind", "key", "measure", "summary", "evidence_url", "occurred_on", "joined_at"]


class CaseSerializer(serializers.ModelSerializer):
    office: serializers.SlugRelatedField[Office] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    origin_office: serializers.SlugRelatedField[Office] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    causes = CauseSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "institution",
            "branch",
            "office",
            "origin_office",
            "level",
            "kind",
            "status",
            "deadline",
            "escalations",
            "opened_at",
            "acknowledged_at",
            "closed_at",
            "closing_note",
            "causes",
        ]


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResponseEvidence
        fields = ["id", "original_name", "size", "sha256"]


class ResponseSerializer(serializers.ModelSerializer):
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = NoticeResponse
        fields = ["text", "responded_at", "decision", "decided_at", "decision_note", "evidence"]


class NoticeSerializer(serializers.ModelSerializer):
    institution = serializers.IntegerField(source="case.institution_id", read_only=True)
    branch = serializers.IntegerField(source="case.branch_id", read_only=True, allow_null=True)
    office = serializers.CharField(source="case.office.code", read_only=True)
    responses = ResponseSerializer(many=True, read_only=True)

    class Meta:
        model = RectificationNotice
        fields = [
            "id",
            "case",
            "institution",
            "branch",
            "office",
            "requirements",
            "deadline",
            "status",
            "issued_at",
            "responses",
        ]


class CaseViewSet(ScopedViewSet):
    queryset = (
        Case.objects.select_related("office", "origin_office")
        .prefetch_related("causes")
        .order_by("deadline", "id")
    )
    serializer_class = CaseSerializer
    filterset_fields = ["status", "kind", "level", "institution", "branch"]


class NoticeAnswerSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20000, help_text="the remedy")
    evidence = serializers.ListField(
        child=serializers.FileField(max_length=255), required=False, default=list
    )


class NoticeViewSet(ScopedViewSet):
    queryset = (
        RectificationNotice.objects.select_related("case__office")
        .prefetch_related("responses__evidence")
        .order_by("-issued_at", "-id")
    )
    serializer_class = NoticeSerializer
    filterset_fields = ["status"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request=NoticeAnswerSerializer, responses=NoticeSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def answer(self, request: Request, pk=None) -> Response:
        """The institution's remedy, with evidence files (multipart), as on the notice page."""
        notice = self.get_object()
        data = NoticeAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = data.validated_data
        answer_refusals(
            lambda: escalation.notice_answer(
                request.user, notice, answer["text"], answer["evidence"]
            )
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=notice.pk)).data)


def register(router: BaseRouter) -> None:
    router.register("escalation-cases", CaseViewSet, basename="escalation-case")
    router.register("rectification-notices", NoticeViewSet, basename="rectification-notice")
