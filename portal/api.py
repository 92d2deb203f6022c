"""The REST API's core resources; every queryset goes through ``portal.scoping``."""

from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import scoping, tokens
from portal.models import AuditEvent, Branch, Institution, Membership, Office, User


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only resources limited to what the requesting user may see (others are 404)."""

    queryset: QuerySet  # each resource names a queryset (not a manager) for scoping to narrow

    def get_queryset(self):
        return scoping.visible(self.request.user, self.queryset)


T = TypeVar("T")


def answer_refusals(call: Callable[[], T]) -> T:
    """Run a service call, turning its refusals into the API's answers: a ``PermissionDenied``
    is a 403, a ``ValidationError`` a 400 with its messages in ``non_field_errors``."""
    try:
        return call()
    except PermissionDenied as exc:
        raise exceptions.PermissionDenied() from exc
    except DjangoValidationError as exc:
        raise exceptions.ValidationError({"non_field_errors": exc.messages}) from exc


class OfficeSerializer(serializers.ModelSerializer):
    parent_code = serializers.SerializerMethodField()

    class Meta:
        model = Office
        fields = ["code", "name_zh", "name_en", "level", "depth", "parent_code"]

    def get_parent_code(self, office: Office) -> str | None:
        parent = Office.objects.get_parent(office)
        return parent.code if parent else None


class OfficeViewSet(ScopedViewSet):
    queryset = Office.objects.order_by("path")
    serializer_class = OfficeSerializer
    lookup_field = "code"
    filterset_fields = ["level"]


class InstitutionSerializer(serializers.ModelSerializer):
    office_code = serializers.CharField(source="office.code", read_only=True)

    class Meta:
        model = Institution
        fields = [
            "id",
            "credit_code",
            "name_zh",
            "name_en",
            "kind",
            "licence_code",
            "bank_code",
            "office_code",
            "is_active",
        ]


class InstitutionViewSet(ScopedViewSet):
    queryset = Institution.objects.select_related("office").order_by("id")
    serializer_class = InstitutionSerializer
    filterset_fields = ["kind", "is_active"]


class BranchSerializer(serializers.ModelSerializer):
    office_code = serializers.CharField(source="office.code", read_only=True)

    class Meta:
        model = Branch
        fields = [
            "id",
            "institution",
            "credit_code",
            "name_zh",
            "name_en",
            "licence_code",
            "office_code",
            "is_active",
        ]


class BranchViewSet(ScopedViewSet):
    queryset = Branch.objects.select_related("office").order_by("id")
    serializer_class = BranchSerializer
    filterset_fields = ["institution", "is_active"]


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor_label",
            "verb",
            "object_type",
            "object_id",
            "object_label",
            "changes",
            "address",
        ]


class AuditEventViewSet(ScopedViewSet):
    queryset = AuditEvent.objects.order_by("-at", "-id")
    serializer_class = AuditEventSerializer
    filterset_fields = ["verb", "object_type"]


class MembershipSerializer(serializers.ModelSerializer):
    target = serializers.CharField(source="target.name", read_only=True)

    class Meta:
        model = Membership
        fields = ["role", "office", "institution", "branch", "target"]


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField()
    memberships = MembershipSerializer(many=True)


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    """The signed-in user and their places in the tree."""
    user = request.user
    assert isinstance(user, User)  # IsAuthenticated turns anonymous requests away
    return Response(
        MeSerializer(
            {
                "email": user.email,
                "full_name": user.full_name,
                "memberships": user.memberships.all(),
            }
        ).data
    )


class TokenRequestSerializer(serializers.Serializer):
    """The account's email address goes in ``username``, as on the sign-in form."""

    username = serializers.CharField(
        label=_("Email address"),
        min_length=1,
        max_length=254,
        help_text=_("The account's email address."),
    )
    password = serializers.CharField(
        label=_("Password"),
        min_length=1,
        max_length=4096,
        trim_whitespace=False,
        style={"input_type": "password"},
    )


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send it as `Authorization: Token <token>`."))
    expires = serializers.DateTimeField(help_text=_("When the token stops working."))


class TokenRequestErrorSerializer(serializers.Serializer):
    """A 400 from the token endpoint: the fields' errors, or ``non_field_errors``."""

    username = serializers.ListField(child=serializers.CharField(), required=False)
    password = serializers.ListField(child=serializers.CharField(), required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


class TokenDetailErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class TokenView(APIView):
    """Obtain a token with an email address and password (``POST``), or revoke the token the
    request presents (``DELETE``). Each ``POST`` makes a new token and ends the previous one;
    a token ends after ``PORTAL_TOKEN_DAYS`` days and when the password changes."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_authenticators(self):
        # Obtaining a token takes only the credentials in the body: no session, so no CSRF.
        return (
            [] if self.request and self.request.method == "POST" else super().get_authenticators()
        )

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: IssuedTokenSerializer,
            400: OpenApiResponse(
                response=TokenRequestErrorSerializer,
                description=_(
                    "A field is missing or empty (keyed by field), or the address and password "
                    "do not match an active account, or sign-in is locked out after repeated "
                    "failures (``non_field_errors``)."
                ),
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request=request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None or not isinstance(user, User):
            raise ValidationError(
                {"non_field_errors": [_("Unable to sign in with these credentials.")]}
            )
        token = tokens.issue(user)
        return Response({"token": token.key, "expires": tokens.expires_at(token)})

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description=_("The token ended.")),
            401: TokenDetailErrorSerializer,
            403: TokenDetailErrorSerializer,
        },
    )
    def delete(self, request: Request) -> Response:
        user = request.user
        assert isinstance(user, User)  # IsAuthenticated turns anonymous requests away
        tokens.revoke(user, user, "revoked")
        return Response(status=204)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A URL that names no API object answers in the API's own terms (JSON with ``detail``,
    as its schema documents), wherever the router's patterns turned it away; pages keep the
    portal's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": gettext("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)
