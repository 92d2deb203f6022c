"""The complaints API, for institutions' own complaint systems and for offices: complaints
with their timelines, and the institution's acknowledge and answer verbs. Querysets go through
``portal.scoping``; an owner reads their own without the office's internal steps."""

from collections.abc import Iterable

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from portal import scoping
from portal.api import ScopedViewSet, answer_refusals
from portal.audit import request_address
from portal.idempotency import idempotent
from portal.models import Branch, Division, User
from supervision.complaints import services as complaints
from supervision.complaints.forms import branches_near, county_divisions
from supervision.complaints.guard import count_filing, over_limit
from supervision.complaints.models import (
    Complaint,
    ComplaintEvent,
    Complexity,
    EventKind,
    Outcome,
)

# What the owner says when filing, as the form asks it.
FILED = [
    "enterprise_name",
    "enterprise_credit_code",
    "legal_representative",
    "address",
    "contact_phone",
    "description",
    "wish",
]


class EventSerializer(serializers.ModelSerializer):
    # "step", not "kind": the schema's enums are named by field, and institutions and
    # escalation causes have kinds of their own.
    step = serializers.ChoiceField(source="kind", choices=EventKind.choices, read_only=True)

    class Meta:
        model = ComplaintEvent
        fields = ["step", "at", "text", "details", "internal"]


class ComplaintSerializer(serializers.ModelSerializer):
    office_code = serializers.CharField(source="office.code", read_only=True)
    county_code = serializers.CharField(source="county.code", read_only=True)
    events = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "reference",
            "status",
            "category",
            "institution",
            "branch",
            "office_code",
            "county_code",
            *FILED,
            "complexity",
            "filed_at",
            "due_on",
            "extended",
            "acknowledged_at",
            "first_answered_at",
            "answered_at",
            "answered_late",
            "outcome",
            "answer",
            "reopen_count",
            "desk_reason",
            "substantive",
            "closed_at",
            "events",
        ]

    def _for_owner(self, complaint: Complaint) -> bool:
        return complaints.is_owner(self.context["request"].user, complaint)

    def get_events(self, complaint: Complaint) -> list[dict]:
        events: Iterable[ComplaintEvent] = complaint.events.all()
        if self._for_owner(complaint):
            events = [e for e in events if not e.internal]
        # many=True makes a ListSerializer, not the EventSerializer that the stubs say.
        listed: serializers.BaseSerializer = EventSerializer(events, many=True)
        return listed.data

    def to_representation(self, complaint: Complaint) -> dict:
        data = super().to_representation(complaint)
        if self._for_owner(complaint):
            data.pop("substantive")  # the office's assessment is not the owner's to read
        return data


class FileSerializer(serializers.ModelSerializer):
    """A complaint as an SME owner files it on the form (``/complaints/new/``), as JSON."""

    county: serializers.SlugRelatedField[Division] = serializers.SlugRelatedField(
        slug_field="code",
        queryset=county_divisions(),
        help_text="the GB/T 2260 code of the county where the enterprise operates",
    )
    branch: serializers.PrimaryKeyRelatedField[Branch] = serializers.PrimaryKeyRelatedField(
        queryset=Branch.objects.all(),
        help_text="the branch complained of: one near the county, as the form lists them",
    )
    # Spaces, lower case or full-width letters are tidied to the 18 characters.
    enterprise_credit_code = serializers.CharField(max_length=40)

    class Meta:
        model = Complaint
        fields = [
            "county",
            "branch",
            "category",
            *FILED,
        ]

    def validate(self, attrs: dict) -> dict:
        if not branches_near(attrs["county"]).filter(pk=attrs["branch"].pk).exists():
            raise serializers.ValidationError({"branch": [_("Choose a branch near the county.")]})
        return attrs


class FileWithAttachmentsSerializer(FileSerializer):
    """A complaint with its attachments (PDF or images, checked by content):
    ``multipart/form-data``."""

    attachments = serializers.ListField(child=serializers.FileField(), required=False)

    class Meta(FileSerializer.Meta):
        fields = [*FileSerializer.Meta.fields, "attachments"]


class AcknowledgeSerializer(serializers.Serializer):
    complexity = serializers.ChoiceField(choices=Complexity.choices, default=Complexity.SIMPLE)


class AnswerSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    text = serializers.CharField(max_length=5000)


class ComplaintViewSet(ScopedViewSet):
    queryset = (
        Complaint.objects.select_related("office", "county")
        .prefetch_related("events")
        .order_by("-filed_at", "-id")
    )
    serializer_class = ComplaintSerializer
    filterset_fields = ["status", "category", "institution", "branch", "substantive"]
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        request={
            "application/json": FileSerializer,
            "multipart/form-data": FileWithAttachmentsSerializer,
        },
        responses={201: ComplaintSerializer},
    )
    @idempotent
    def create(self, request: Request, *args, **kwargs) -> Response:
        """An SME owner files a complaint, as on the form; it reaches the institution at once.
        Attachments come with ``multipart/form-data``."""
        owner = request.user
        assert isinstance(owner, User)  # IsAuthenticated turns anonymous requests away
        if not scoping.scope_of(owner).is_sme_owner:
            raise exceptions.PermissionDenied()
        sender, address = f"user:{owner.pk}", request_address.get()
        if over_limit(sender, address):
            raise exceptions.Throttled()
        form = request.content_type.startswith("multipart/")
        data = (FileWithAttachmentsSerializer if form else FileSerializer)(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = answer_refusals(lambda: complaints.file_complaint(owner, **data.validated_data))
        count_filing(sender, address)
        fresh = self.get_queryset().get(pk=complaint.pk)
        return Response(
            ComplaintSerializer(fresh, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    def _verb(self, request: Request, serializer_class, call) -> Response:
        complaint = self.get_object()
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        answer_refusals(lambda: call(request.user, complaint, **data.validated_data))
        fresh = self.get_queryset().get(pk=complaint.pk)
        return Response(ComplaintSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(request=AcknowledgeSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def acknowledge(self, request: Request, pk=None) -> Response:
        return self._verb(request, AcknowledgeSerializer, complaints.acknowledge)

    @extend_schema(request=AnswerSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def answer(self, request: Request, pk=None) -> Response:
        return self._verb(request, AnswerSerializer, complaints.answer)


def register(router: BaseRouter) -> None:
    router.register("complaints", ComplaintViewSet, basename="complaint")
