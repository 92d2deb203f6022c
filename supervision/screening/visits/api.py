"""Visits in the API: the offline app (and a bank's own system) sends each visit with the id
the phone gave it, ``client_id``; sending it again returns the visit recorded the first time
(200) instead of recording a second (201). A visit of an enterprise assigned elsewhere
meanwhile is refused with 409 and a message the officer can act on."""

import base64
import binascii
from typing import cast

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from portal.api import ScopedViewSet
from portal.idempotency import idempotent
from portal.models import User
from supervision.screening.models import Decision
from supervision.screening.visits.models import Visit
from supervision.screening.visits.services import (
    MAX_PHOTOS,
    VisitConflict,
    VisitInput,
    visit_record,
)

VISIT_FIELDS = [
    "visited_at",
    "visitors",
    "met",
    "need_amount",
    "need_term",
    "need_purpose",
    "offered",
    "decision",
    "decline_reason",
    "credit_amount",
    "loan_amount",
    "loan_date",
    "rate",
    "credit_loan",
    "renewal",
    "first_time",
    "next_step",
    "next_step_on",
    "latitude",
    "longitude",
    "accuracy_m",
]


class VisitSerializer(serializers.ModelSerializer):
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = ["id", "client_id", "assignment", "enterprise", *VISIT_FIELDS, "photos"]
        read_only_fields = fields

    def get_photos(self, visit: Visit) -> int:
        return visit.photos.count()


# Base64 text (whole groups of four, padded), optionally after a ``data:...,`` prefix: what
# ``PhotoField`` reads, so that the schema refuses what it refuses.
BASE64 = (
    r"^(?:data:[^,]*,)?(?:[A-Za-z0-9+/]{4})*"
    r"(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)$"
)


@extend_schema_field({"type": "string", "pattern": BASE64})
class PhotoField(serializers.CharField):
    """A photo as base64 text, optionally as a ``data:image/...;base64,`` URL."""

    def to_internal_value(self, data) -> bytes:  # type: ignore[override]
        text = super().to_internal_value(data)
        try:
            return base64.b64decode(text.split(",", 1)[-1], validate=True)
        except (binascii.Error, ValueError) as error:
            raise serializers.ValidationError("not base64") from error


class VisitInputSerializer(serializers.ModelSerializer):
    client_id = serializers.UUIDField()
    # Plain ids: whether the user may visit them is the service's answer (404 otherwise), the
    # same for a row that exists elsewhere and one that does not.
    assignment = serializers.IntegerField()
    enterprise = serializers.IntegerField()
    decision = serializers.ChoiceField(choices=Decision.choices)
    # Declared so that the schema says what the model requires: someone went (not blank).
    visitors = serializers.CharField(
        max_length=200, min_length=1, label=Visit._meta.get_field("visitors").verbose_name
    )
    photos = serializers.ListField(
        child=PhotoField(), required=False, max_length=MAX_PHOTOS, write_only=True
    )

    class Meta:
        model = Visit
        fields = ["client_id", "assignment", "enterprise", *VISIT_FIELDS, "photos"]
        # The unique client id is the point: a repeat is answered, not refused.
        validators: list = []

    def visit_input(self) -> VisitInput:
        values = dict(self.validated_data)
        return VisitInput(
            client_id=values.pop("client_id"),
            assignment_id=values.pop("assignment"),
            enterprise_id=values.pop("enterprise"),
            photos=values.pop("photos", []),
            values=values,
        )


CONFLICT = inline_serializer(
    "VisitConflict", {"detail": serializers.CharField(), "code": serializers.CharField()}
)


class VisitViewSet(ScopedViewSet):
    # JSON only, as the visit app sends it: form encodings cannot say "no value" (null) for a
    # number, so a schema-valid form body could not be read as the schema means it.
    parser_classes = [JSONParser]
    queryset = Visit.objects.order_by("-visited_at", "-id")
    serializer_class = VisitSerializer
    filterset_fields = ["assignment", "enterprise", "decision"]

    @extend_schema(
        request=VisitInputSerializer,
        responses={
            201: VisitSerializer,
            200: OpenApiResponse(VisitSerializer, description="Recorded before: the same visit."),
            400: OpenApiResponse(description="The visit's fields are not valid."),
            404: OpenApiResponse(description="No such assignment or enterprise for this user."),
            409: OpenApiResponse(CONFLICT, description="The enterprise was assigned again."),
        },
    )
    @idempotent
    def create(self, request: Request) -> Response:
        """Record a visit; sent again with the same ``client_id``, the first one is returned."""
        incoming = VisitInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            visit, new = visit_record(cast(User, request.user), incoming.visit_input())
        except PermissionDenied as error:
            raise NotFound from error
        except VisitConflict as conflict:
            body = {"detail": conflict.message, "code": "reassigned"}
            return Response(body, status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"detail": error.messages}) from error
        code = status.HTTP_201_CREATED if new else status.HTTP_200_OK
        return Response(VisitSerializer(visit).data, status=code)


def register(router: BaseRouter) -> None:
    router.register("screening-visits", VisitViewSet, basename="screening-visit")
