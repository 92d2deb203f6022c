from django.urls import path

from supervision.screening import assignment_views as assignments
from supervision.screening import office_views
from supervision.screening import views as screening
from supervision.screening.visits import urls as visits

urlpatterns = [
    *visits.urlpatterns,
    path("screening/", screening.task_list, name="screening-tasks"),
    path("screening/new/", screening.task_create, name="screening-task-create"),
    path("screening/overdue/", assignments.overdue_list, name="screening-overdue"),
    path("screening/across/", office_views.office_outcomes, name="screening-across"),
    path("screening/<int:pk>/", screening.task_detail, name="screening-task"),
    path("screening/<int:pk>/jobs/", screening.task_jobs, name="screening-task-jobs"),
    path(
        "screening/assignments/<int:pk>/",
        assignments.assignment_detail,
        name="screening-assignment",
    ),
    path(
        "screening/assignments/<int:pk>/results.xlsx",
        assignments.assignment_workbook,
        name="screening-assignment-workbook",
    ),
    path("screening/enterprise/", screening.enterprise_lookup, name="screening-enterprise-lookup"),
    path(
        "screening/enterprises/<str:credit_code>/",
        screening.enterprise_history,
        name="screening-enterprise",
    ),
]
