"""The REST API's core resources; every queryset goes through ``portal.scoping``."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from portal import scoping
from portal.models import AuditEvent, Branch, Institution, Membership, Office, User


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only resources limited to what the requesting user may see (others are 404)."""

    queryset: QuerySet  # each resource names a queryset (not a manager) for scoping to narrow

    def get_queryset(self):
        return scoping.visible(self.request.user, self.queryset)


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
