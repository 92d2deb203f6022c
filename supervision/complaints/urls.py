from django.urls import path

from supervision.complaints import views

urlpatterns = [
    path("complaints/", views.complaint_list, name="complaint-list"),
    path("complaints/desk/", views.complaint_desk, name="complaint-desk"),
    path("complaints/new/", views.complaint_file, name="complaint-file"),
    path("complaints/start/", views.complaint_start, name="complaint-start"),
    path("complaints/statistics/", views.complaint_statistics, name="complaint-statistics"),
    path(
        "complaints/statistics.xlsx",
        views.complaint_statistics_xlsx,
        name="complaint-statistics-xlsx",
    ),
    path("complaints/new/branches/", views.complaint_branch_options, name="complaint-branches"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint-detail"),
    path(
        "complaints/<int:pk>/received/",
        views.complaint_confirmation,
        name="complaint-confirmation",
    ),
    path("complaints/<int:pk>/<slug:verb>/", views.complaint_action, name="complaint-action"),
    path(
        "complaints/attachments/<int:pk>/",
        views.complaint_attachment,
        name="complaint-attachment",
    ),
]
