"""The returns API: requests, filings (a file, or JSON rows checked by the same spec),
their issues, and the sign / accept / return verbs. Querysets go through ``portal.scoping``."""

import tempfile
from pathlib import Path

import polars as pl
from django.core.files import File
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from portal import scoping
from portal.api import ScopedViewSet, answer_refusals
from portal.idempotency import idempotent
from portal.schema import ErrorDetailSerializer
from reporting import filings, synthetic
from reporting.findings import render_message
from reporting.models import Filing, FilingSource, ReturnRequest, RuleHit
from reporting.specs import ALL, get_spec


class ReturnRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReturnRequest
        fields = [
            "id",
            "spec_code",
            "spec_version",
            "period",
            "institution",
            "branch",
            "office",
            "due_date",
            "source",
            "closed_at",
            "reopened_until",
        ]


class ReturnRequestViewSet(ScopedViewSet):
    queryset = ReturnRequest.objects.order_by("-due_date", "id")
    serializer_class = ReturnRequestSerializer
    filterset_fields = ["spec_code", "period", "institution", "branch"]


class FilingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Filing
        fields = [
            "id",
            "request",
            "spec_code",
            "spec_version",
            "period",
            "institution",
            "branch",
            "check_only",
            "version",
            "original_name",
            "size",
            "sha256",
            "source",
            "uploaded_at",
            "is_late",
            "status",
            "phase",
            "progress",
            "requeued",
            "row_count",
            "error_count",
            "warning_count",
            "receipt_number",
            "signed_at",
            "reviewed_at",
            "review_comment",
            "is_current",
        ]
        read_only_fields = fields


class FilingFileSerializer(serializers.Serializer):
    """A return as a file: ``multipart/form-data``."""

    request = serializers.IntegerField(help_text="the return request filed against")
    file = serializers.FileField(help_text="the return as an .xlsx template")
    check_only = serializers.BooleanField(default=False)
    declared_size = serializers.IntegerField(required=False, min_value=0)


class FilingRowsSerializer(serializers.Serializer):
    """A return as rows: ``application/json``."""

    request = serializers.IntegerField(help_text="the return request filed against")
    rows = serializers.ListField(
        child=serializers.DictField(),
        min_length=1,
        help_text="the rows, as objects keyed by the spec's column keys (``GET /api/v1/specs/``)",
    )
    check_only = serializers.BooleanField(default=False)


class HitSerializer(serializers.ModelSerializer):
    message_zh = serializers.SerializerMethodField()
    message_en = serializers.SerializerMethodField()

    class Meta:
        model = RuleHit
        fields = ["code", "rule_class", "severity", "count", "message_zh", "message_en", "examples"]

    def _message(self, hit: RuleHit, lang: str) -> str:
        spec = get_spec(hit.filing.spec_code, hit.filing.spec_version)
        return render_message(hit.rule, None, spec, lang)

    def get_message_zh(self, hit: RuleHit) -> str:
        return self._message(hit, "zh")

    def get_message_en(self, hit: RuleHit) -> str:
        return self._message(hit, "en")


class SignSerializer(serializers.Serializer):
    confirmations = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        default=dict,
        help_text="warning rule code -> reason (may be empty); every warning must be confirmed",
    )


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(allow_blank=True, default="")


class FilingViewSet(mixins.CreateModelMixin, ScopedViewSet):
    queryset = Filing.objects.order_by("-uploaded_at", "-id")
    serializer_class = FilingSerializer
    filterset_fields = ["spec_code", "period", "status", "institution", "branch", "check_only"]
    # A file comes as multipart, rows as JSON: the media type says which, so exactly one is sent.
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(
        request={
            "multipart/form-data": FilingFileSerializer,
            "application/json": FilingRowsSerializer,
        },
        responses={
            201: FilingSerializer,
            404: OpenApiResponse(ErrorDetailSerializer, description="no such request in scope"),
        },
    )
    @idempotent
    def create(self, request: Request, *args, **kwargs) -> Response:
        # The request first: a filing for a request one cannot see is a 404 whatever it holds.
        named = self._named_request(request)
        form = FilingFileSerializer if request.content_type.startswith("multipart/") else None
        data = (form or FilingRowsSerializer)(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        return_request = named or self._visible_request(request, values["request"])
        if "file" in values:
            upload = values["file"]
            filing = answer_refusals(
                lambda: filings.filing_upload(
                    request.user,
                    return_request,
                    upload,
                    name=upload.name,
                    source=FilingSource.API,
                    check_only=values["check_only"],
                    declared_size=values.get("declared_size"),
                )
            )
        else:
            filing = self._file_rows(request, return_request, values)
        return Response(FilingSerializer(filing).data, status=status.HTTP_201_CREATED)

    def _named_request(self, request: Request) -> ReturnRequest | None:
        """The request the body names, if it names one by a whole number (a negative one names
        no request, so it is a 404 like any other unknown id)."""
        raw = request.data.get("request") if hasattr(request.data, "get") else None
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            return None
        try:
            pk = int(raw)
        except ValueError:
            return None
        return self._visible_request(request, pk)

    def _visible_request(self, request: Request, pk: int) -> ReturnRequest:
        try:
            return scoping.get_visible_or_404(request.user, ReturnRequest, pk=pk)
        except Http404 as exc:
            raise exceptions.NotFound() from exc

    def _file_rows(self, request: Request, return_request: ReturnRequest, values) -> Filing:
        spec = get_spec(return_request.spec_code, return_request.spec_version)
        rows = values["rows"]
        unknown = sorted({k for row in rows for k in row} - set(spec.column_keys))
        if unknown:
            raise exceptions.ValidationError({"rows": [f"unknown columns: {', '.join(unknown)}"]})
        if not rows:
            raise exceptions.ValidationError({"rows": ["no rows"]})
        frame = pl.DataFrame(
            [
                {k: None if row.get(k) is None else str(row[k]) for k in spec.column_keys}
                for row in rows
            ],
            schema=dict.fromkeys(spec.column_keys, pl.String),
        )
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"{spec.code}-{return_request.period}.xlsx"
            synthetic.write_return(spec, frame, path)
            with path.open("rb") as handle:
                return answer_refusals(
                    lambda: filings.filing_upload(
                        request.user,
                        return_request,
                        File(handle),
                        name=path.name,
                        source=FilingSource.JSON,
                        check_only=values["check_only"],
                    )
                )

    @extend_schema(responses=HitSerializer(many=True), filters=False)
    @action(detail=True)
    def issues(self, request: Request, pk=None) -> Response:
        """The filing's issues, a page at a time like every list."""
        filing = self.get_object()
        hits = self.paginate_queryset(filing.hits.select_related("filing").order_by("code"))
        return self.get_paginated_response(HitSerializer(hits, many=True).data)

    @extend_schema(request=SignSerializer, responses=FilingSerializer)
    # The verbs take JSON only: confirmations are an object, which a form cannot carry, and a
    # generated client given a choice of media types may pick the form.
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    @idempotent
    def sign(self, request: Request, pk=None) -> Response:
        filing = self.get_object()
        data = SignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        confirmations = data.validated_data["confirmations"]
        filing = answer_refusals(lambda: filings.filing_sign(request.user, filing, confirmations))
        return Response(FilingSerializer(filing).data)

    @extend_schema(request=DecisionSerializer, responses=FilingSerializer)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    @idempotent
    def accept(self, request: Request, pk=None) -> Response:
        return self._decide(request, filings.filing_accept)

    @extend_schema(request=DecisionSerializer, responses=FilingSerializer)
    @action(detail=True, methods=["post"], url_path="return", parser_classes=[JSONParser])
    @idempotent
    def send_back(self, request: Request, pk=None) -> Response:
        return self._decide(request, filings.filing_return)

    def _decide(self, request: Request, decide) -> Response:
        filing = self.get_object()
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = data.validated_data["comment"]
        filing = answer_refusals(lambda: decide(request.user, filing, comment))
        return Response(FilingSerializer(filing).data)


class SpecSerializer(serializers.Serializer):
    code = serializers.CharField()
    version = serializers.CharField()
    title_zh = serializers.CharField()
    title_en = serializers.CharField()
    period_kind = serializers.CharField()
    filer = serializers.CharField()
    columns = serializers.SerializerMethodField()
    rules = serializers.SerializerMethodField()

    def get_columns(self, spec) -> list[dict]:
        return [
            {
                "key": c.key,
                "label_zh": c.label_zh,
                "label_en": c.label_en,
                "type": c.type,
                "unit": c.unit,
                "required": c.required,
                "choices": list(c.choice_values),
            }
            for c in spec.columns
        ]

    def get_rules(self, spec) -> list[dict]:
        return [
            {
                "code": r.code,
                "class": r.rule_class,
                "severity": r.severity,
                "message_zh": r.message_zh,
                "message_en": r.message_en,
            }
            for r in spec.rules
        ]


class SpecViewSet(viewsets.ViewSet):
    """The return specs: columns and rules, as the templates and validators use them."""

    serializer_class = SpecSerializer

    @extend_schema(responses=SpecSerializer(many=True))
    def list(self, request: Request) -> Response:
        return Response(SpecSerializer(ALL, many=True).data)
