from django.urls import path

from supervision.dashboards import insurance_views
from supervision.dashboards import views as dashboards

urlpatterns = [
    path("dashboards/", dashboards.dashboard_home, name="dashboard-home"),
    path("dashboards/<str:code>/", dashboards.dashboard, name="dashboard"),
    path(
        "dashboards/<str:code>/institutions/<int:pk>/",
        dashboards.dashboard_institution,
        name="dashboard-institution",
    ),
    path(
        "dashboards/<str:code>/branches/<int:pk>/",
        dashboards.dashboard_branch,
        name="dashboard-branch",
    ),
    path(
        "dashboards/<str:code>/completeness/",
        dashboards.completeness_page,
        name="completeness",
    ),
    path(
        "dashboards/<str:code>/insurance/",
        insurance_views.insurance_page,
        name="dashboard-insurance",
    ),
    path("dashboards/<str:code>/board/", dashboards.status_board, name="status-board"),
    path("dashboards/<str:code>/exports/", dashboards.exports_page, name="dashboard-exports"),
    path("dashboards/exports/<int:pk>/", dashboards.export_detail, name="dashboard-export"),
    path(
        "dashboards/exports/<int:pk>/download/",
        dashboards.export_download,
        name="dashboard-export-download",
    ),
]
