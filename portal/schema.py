"""The OpenAPI schema says every status an operation can answer, each with its body.

drf-spectacular documents the success only; a generated client then has no type for the errors
a bank's system must handle, and schemathesis finds the 400s and 404s undocumented. Every
operation here adds the answers DRF gives for it: refused input (400), missing or refused
credentials (401, 403), an object outside one's scope (404), an unsupported body (415),
throttling (429), and on creates an ``Idempotency-Key`` in use (409) or reused (422).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from portal import idempotency, lifecycle


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
    "409": (
        ErrorDetailSerializer,
        _("A request with this Idempotency-Key is still being processed: retry later."),
    ),
    "415": (ErrorDetailSerializer, _("The body's media type is not one the operation takes.")),
    "422": (
        ErrorDetailSerializer,
        _("This Idempotency-Key was sent with a different request."),
    ),
    "429": (ErrorDetailSerializer, _("Too many requests: retry after `Retry-After` seconds.")),
}


IDEMPOTENCY_KEY = OpenApiParameter(
    idempotency.HEADER,
    {"type": "string", "pattern": idempotency.KEY_PATTERN},
    OpenApiParameter.HEADER,
    description=_(
        "Any value unique to this create (a UUID): a retry with the same key and the same "
        "request answers the first response again (`Idempotent-Replayed: true`) instead of "
        "creating twice."
    ),
)


class PortalAutoSchema(AutoSchema):
    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        return [*parameters, IDEMPOTENCY_KEY] if self._is_idempotent() else parameters

    def is_deprecated(self) -> bool:
        return super().is_deprecated() or lifecycle.route_name(self.view) in lifecycle.DEPRECATED

    def _is_idempotent(self) -> bool:
        name = getattr(self.view, "action", None) or self.method.lower()
        return getattr(getattr(self.view, name, None), "idempotent", False)

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
        if "requestBody" in operation or places & {"query", "header"}:
            codes.append("400")
        if any(requirement for requirement in operation.get("security", [])):
            codes += ["401", "403"]
        if "path" in places:
            codes.append("404")
        if "requestBody" in operation:
            codes.append("415")
        if self._is_idempotent():
            codes += ["409", "422"]
        return codes


def _link(operation_id: str, id_from: str, description: str) -> dict:
    return {
        "operationId": operation_id,
        "parameters": {"id": id_from},
        "description": description,
    }


# How one answer leads to the next operation, as a client follows them (OpenAPI links): a
# filing made -> read it -> its issues -> sign it; a complaint filed -> acknowledge -> answer.
LINKS = {
    ("/api/v1/filings/", "post", "201"): {
        "GetFiling": _link("filings_retrieve", "$response.body#/id", "the filing made"),
        "GetIssues": _link("filings_issues_list", "$response.body#/id", "its issues"),
        "Sign": _link("filings_sign_create", "$response.body#/id", "sign it"),
    },
    ("/api/v1/filings/{id}/", "get", "200"): {
        "GetIssues": _link("filings_issues_list", "$response.body#/id", "its issues"),
        "Sign": _link("filings_sign_create", "$response.body#/id", "sign it"),
    },
    ("/api/v1/filings/{id}/issues/", "get", "200"): {
        "Sign": _link("filings_sign_create", "$request.path.id", "sign the filing"),
    },
    ("/api/v1/filings/", "get", "200"): {
        "GetFiling": _link("filings_retrieve", "$response.body#/results/0/id", "the first"),
    },
    ("/api/v1/complaints/", "post", "201"): {
        "GetComplaint": _link("complaints_retrieve", "$response.body#/id", "the complaint filed"),
        "Acknowledge": _link("complaints_acknowledge_create", "$response.body#/id", "take it on"),
    },
    ("/api/v1/complaints/", "get", "200"): {
        "GetComplaint": _link("complaints_retrieve", "$response.body#/results/0/id", "the first"),
    },
    ("/api/v1/complaints/{id}/", "get", "200"): {
        "Acknowledge": _link("complaints_acknowledge_create", "$response.body#/id", "take it on"),
    },
    ("/api/v1/complaints/{id}/acknowledge/", "post", "200"): {
        "Answer": _link("complaints_answer_create", "$response.body#/id", "answer it"),
    },
}


def add_links(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: the ``LINKS`` on their responses."""
    for (path, method, code), links in LINKS.items():
        result["paths"][path][method]["responses"][code]["links"] = links
    return result
