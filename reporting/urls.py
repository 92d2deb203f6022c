"""Pages of returns: spec documentation and templates, filings, reports and review."""

from django.urls import path

from reporting.views import filings, requests, review, specs

urlpatterns = [
    path("specs/", specs.spec_list, name="spec-list"),
    path("specs/<str:code>/<str:version>/", specs.spec_detail, name="spec-detail"),
    path(
        "specs/<str:code>/<str:version>/template.xlsx",
        specs.spec_template,
        name="spec-template",
    ),
    path("", requests.request_list, name="request-list"),
    path("requests/<int:pk>/", requests.request_detail, name="request-detail"),
    path("filings/<int:pk>/", filings.filing_detail, name="filing-detail"),
    path("filings/<int:pk>/progress/", filings.filing_progress, name="filing-progress"),
    path("filings/<int:pk>/file/", filings.filing_file, name="filing-file"),
    path("filings/<int:pk>/annotated.xlsx", filings.filing_annotated, name="filing-annotated"),
    path("filings/<int:pk>/issues.xlsx", filings.filing_issues_xlsx, name="filing-issues-xlsx"),
    path("filings/<int:pk>/issues.csv", filings.filing_issues_csv, name="filing-issues-csv"),
    path("review/", review.review_queue, name="review-queue"),
    path("review/export.xlsx", review.review_export, name="review-export"),
]
