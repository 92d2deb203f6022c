"""The OpenAPI schema says every status an operation can answer, each with its body.

drf-spectacular documents the success only; a generated client then has no type for the errors
a bank's system must handle, and schemathesis finds the 400s and 404s undocumented. Every
operation here adds the answers DRF gives for it: refused input (400), missing or refused
credentials (401, 403), an object outside one's scope (404), an unsupported body (415) and
throttling (429).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    """An error that concerns the whole request."""

    detail = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """Refused input: each refused field names its messages (a list; for a list of rows, one
    entry per row); ``non_field_errors`` holds what concerns the request as a whole."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


ERRORS = {
    "400": (ValidationErrorSerializer, _("The request was refused: the body says why.")),
    "401": (ErrorDetailSerializer, _("No credentials, or a token that is unknown or expired.")),
    "403": (ErrorDetailSerializer, _("The user may not do this.")),
    "404": (ErrorDetailSerializer, _("No such object among those the user may see.")),
    "415": (ErrorDetailSerializer, _("The body's media type is not one the operation takes.")),
    "429": (ErrorDetailSerializer, _("Too many requests: retry after `Retry-After` seconds.")),
}


class PortalAutoSchema(AutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        for code in self._error_codes(operation):
            if code not in operation["responses"]:
                serializer, description = ERRORS[code]
                answer = self._get_response_for_code(serializer, code)
                answer["description"] = str(description)
                operation["responses"][code] = answer
        return operation

    def _error_codes(self, operation: dict) -> list[str]:
        places = {parameter["in"] for parameter in operation.get("parameters", [])}
        codes = ["429"]
        if "requestBody" in operation or "query" in places:
            codes.append("400")
        if any(requirement for requirement in operation.get("security", [])):
            codes += ["401", "403"]
        if "path" in places:
            codes.append("404")
        if "requestBody" in operation:
            codes.append("415")
        return codes
