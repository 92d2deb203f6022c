"""Pages of returns: spec documentation and templates, filings, reports and review."""

from django.urls import path

from reporting.views import specs

urlpatterns = [
    path("specs/", specs.spec_list, name="spec-list"),
    path("specs/<str:code>/<str:version>/", specs.spec_detail, name="spec-detail"),
    path(
        "specs/<str:code>/<str:version>/template.xlsx",
        specs.spec_template,
        name="spec-template",
    ),
]
