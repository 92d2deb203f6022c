"""Spec documentation pages and template downloads: the same for every signed-in user."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from reporting import specs
from reporting.documentation import column_docs, rule_docs, spec_doc
from reporting.spec import ReturnSpec
from reporting.workbooks import build_template, xlsx_response


def _spec_or_404(code: str, version: str) -> ReturnSpec:
    try:
        return specs.get_spec(code, version)
    except KeyError:
        raise Http404("No such return spec.") from None


def spec_url(spec: ReturnSpec) -> str:
    return reverse("spec-detail", kwargs={"code": spec.code, "version": spec.version})


def rule_url(spec: ReturnSpec, code: str) -> str:
    """The documentation of one rule, e.g. ``/returns/specs/SME-LOANS/2025/#rule-SL-V101``."""
    return f"{spec_url(spec)}#rule-{code}"


@login_required
def spec_list(request: HttpRequest) -> HttpResponse:
    docs = [spec_doc(s) for s in sorted(specs.ALL, key=lambda s: (s.code, s.version))]
    return render(request, "reporting/spec_list.html", {"docs": docs})


@login_required
def spec_detail(request: HttpRequest, code: str, version: str) -> HttpResponse:
    spec = _spec_or_404(code, version)
    return render(
        request,
        "reporting/spec_detail.html",
        {
            "doc": spec_doc(spec),
            "spec": spec,
            "columns": column_docs(spec),
            "rules": rule_docs(spec),
            "versions": [s for s in specs.ALL if s.code == spec.code],
        },
    )


@login_required
def spec_template(request: HttpRequest, code: str, version: str) -> HttpResponse:
    spec = _spec_or_404(code, version)
    return xlsx_response(build_template(spec), f"{spec.code}_{spec.version}_template.xlsx")
