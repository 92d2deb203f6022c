"""Screening in the API: tasks, assignments and the enterprises assigned, read-only and scoped,
so that a bank's system can fetch the enterprises it must contact (their contacts in full only
for the bank they are assigned to: ``contacts.contact_for``) and answer through
``POST /api/v1/filings/``."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from portal import scoping
from portal.api import ScopedViewSet
from supervision.screening.contacts import contact_for
from supervision.screening.models import Assignment, ScreeningTask, TaskEnterprise
from supervision.screening.visits import api as visits


class ScreeningTaskSerializer(serializers.ModelSerializer):
    office_code = serializers.CharField(source="office.code", read_only=True)

    class Meta:
        model = ScreeningTask
        fields = [
            "id",
            "title",
            "purpose",
            "key_areas",
            "deadline",
            "office_code",
            "enterprise_count",
            "created_at",
        ]


class ScreeningTaskViewSet(ScopedViewSet):
    queryset = ScreeningTask.objects.select_related("office").order_by("-created_at", "-id")
    serializer_class = ScreeningTaskSerializer


class AssignmentSerializer(serializers.ModelSerializer):
    office_code = serializers.CharField(source="office.code", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "task",
            "office_code",
            "institution",
            "branch",
            "request",
            "due_date",
            "created_at",
        ]


class EnterpriseSerializer(serializers.ModelSerializer):
    """An enterprise of a task; its contact is personal data, in full only for its bank."""

    holder_code = serializers.CharField(source="holder.code", read_only=True)
    contact = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()

    class Meta:
        model = TaskEnterprise
        fields = [
            "id",
            "task",
            "credit_code",
            "name",
            "entity_type",
            "size",
            "industry",
            "county",
            "contact",
            "phone",
            "need_amount",
            "need_term",
            "purpose",
            "holder_code",
            "assignment",
            "decision",
            "decline_reason",
            "credit_amount",
            "loan_amount",
            "rate",
            "first_time",
            "contact_date",
        ]

    def get_contact(self, enterprise: TaskEnterprise) -> str:
        return contact_for(self.context["request"].user, enterprise)[0]

    def get_phone(self, enterprise: TaskEnterprise) -> str:
        return contact_for(self.context["request"].user, enterprise)[1]


class AssignmentViewSet(ScopedViewSet):
    queryset = Assignment.objects.select_related("office").order_by("task_id", "id")
    serializer_class = AssignmentSerializer
    filterset_fields = ["task", "institution", "branch"]

    @extend_schema(responses=EnterpriseSerializer(many=True))
    @action(detail=True)
    def enterprises(self, request: Request, pk=None) -> Response:
        """The enterprises the bank was given in this assignment (and still holds)."""
        assignment = self.get_object()
        enterprises = (
            scoping.visible(request.user, TaskEnterprise)
            .filter(assignment=assignment)
            .select_related("holder", "assignment")
            .order_by("credit_code")
        )
        page = self.paginate_queryset(enterprises)
        data = EnterpriseSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)


class EnterpriseViewSet(ScopedViewSet):
    queryset = TaskEnterprise.objects.select_related("holder", "assignment").order_by(
        "task_id", "credit_code"
    )
    serializer_class = EnterpriseSerializer
    filterset_fields = ["task", "credit_code", "county", "decision", "assignment"]


def register(router: BaseRouter) -> None:
    router.register("screening-tasks", ScreeningTaskViewSet, basename="screening-task")
    router.register("screening-assignments", AssignmentViewSet, basename="screening-assignment")
    router.register("screening-enterprises", EnterpriseViewSet, basename="screening-enterprise")
    visits.register(router)
