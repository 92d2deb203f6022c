"""Webhook endpoints in the API: register (the secret is shown in this answer only), list,
read with the recent deliveries and their attempts, resume a paused one, remove."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from portal import scoping
from portal.api import ScopedViewSet, answer_refusals
from portal.idempotency import idempotent
from portal.models import Institution, Office, User
from portal.schema import ErrorDetailSerializer, ValidationErrorSerializer
from portal.webhooks import services
from portal.webhooks.models import Attempt, Delivery, Endpoint, EventType


class EndpointSerializer(serializers.ModelSerializer):
    office: serializers.SlugRelatedField[Office] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    events = serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices))

    class Meta:
        model = Endpoint
        fields = [
            "id",
            "url",
            "events",
            "description",
            "institution",
            "office",
            "created_at",
            "consecutive_failures",
            "paused_at",
        ]
        read_only_fields = fields


class RegisteredSerializer(EndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="the key deliveries are signed with; shown only now"
    )

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


@extend_schema_field({"type": "string", "format": "uri", "pattern": "^https://", "maxLength": 500})
class HttpsURLField(serializers.URLField):
    """An https:// address (an intranet portal may allow http://: PORTAL_WEBHOOK_ALLOW_PRIVATE)."""


class RegisterSerializer(serializers.Serializer):
    url = HttpsURLField(max_length=500, help_text="an https:// address")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices), min_length=1
    )
    description = serializers.CharField(max_length=200, required=False, default="")
    institution = serializers.IntegerField(
        required=False, help_text="the institution's id, if you may register for several places"
    )
    office = serializers.CharField(
        required=False, max_length=40, help_text="an office's code, instead of an institution"
    )


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attempt
        fields = ["at", "status_code", "response", "error"]


class DeliverySerializer(serializers.ModelSerializer):
    log = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "payload",
            "created_at",
            "status",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "log",
        ]


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # IsAuthenticated turns anonymous requests away
    return user


class EndpointViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, ScopedViewSet):
    queryset = Endpoint.objects.select_related("office").order_by("id")
    serializer_class = EndpointSerializer

    def _place(self, model, **lookup):
        try:
            return scoping.get_visible_or_404(self.request.user, model, **lookup)
        except Exception as exc:  # Http404 and a malformed id alike
            raise exceptions.NotFound() from exc

    @extend_schema(
        request=RegisterSerializer,
        responses={
            201: RegisteredSerializer,
            400: OpenApiResponse(
                ValidationErrorSerializer,
                description=(
                    "Refused input. The portal calls only an `https://` address whose host "
                    "resolves, when registered and again on each delivery, to public addresses "
                    "only (never a private, loopback, link-local or reserved one): any other "
                    "`url` is refused in `non_field_errors`, as is naming both an institution "
                    "and an office, or neither when the user may register for several places."
                ),
            ),
            404: OpenApiResponse(
                ErrorDetailSerializer, description="no such institution or office in scope"
            ),
        },
    )
    @idempotent
    def create(self, request: Request, *args, **kwargs) -> Response:
        data = RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        institution = values.pop("institution", None)
        office = values.pop("office", None)
        endpoint = answer_refusals(
            lambda: services.register(
                _user(request),
                institution=self._place(Institution, pk=institution) if institution else None,
                office=self._place(Office, code=office) if office else None,
                **values,
            )
        )
        return Response(RegisteredSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: OpenApiResponse(description="removed")})
    def destroy(self, request: Request, *args, **kwargs) -> Response:
        endpoint = self.get_object()
        answer_refusals(lambda: services.remove(_user(request), endpoint))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=EndpointSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def resume(self, request: Request, pk=None) -> Response:
        """Resume a paused endpoint: its waiting deliveries go out now."""
        endpoint = answer_refusals(lambda: services.resume(_user(request), self.get_object()))
        return Response(EndpointSerializer(endpoint).data)

    @extend_schema(responses=DeliverySerializer(many=True), filters=False)
    @action(detail=True)
    def deliveries(self, request: Request, pk=None) -> Response:
        """The endpoint's deliveries, newest first, each with its attempts and answers."""
        endpoint = self.get_object()
        rows = self.paginate_queryset(endpoint.deliveries.prefetch_related("log"))
        return self.get_paginated_response(DeliverySerializer(rows, many=True).data)


def register(router: BaseRouter) -> None:
    router.register("webhook-endpoints", EndpointViewSet, basename="webhook-endpoint")
