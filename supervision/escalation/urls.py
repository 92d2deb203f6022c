from django.urls import path

from supervision.escalation import rules_views as escalation_rules
from supervision.escalation import statistics_views as case_statistics
from supervision.escalation import views as escalation

urlpatterns = [
    path("escalation/", escalation.desk, name="escalation-desk"),
    path("escalation/cases/<int:pk>/", escalation.case_detail, name="escalation-case"),
    path("escalation/notices/", escalation.notice_list, name="escalation-notices"),
    path("escalation/notices/<int:pk>/", escalation.notice_detail, name="escalation-notice"),
    path("escalation/evidence/<int:pk>/", escalation.evidence_file, name="escalation-evidence"),
    path("escalation/rules/", escalation_rules.rules, name="escalation-rules"),
    path("escalation/statistics/", case_statistics.statistics, name="escalation-statistics"),
    path(
        "escalation/statistics.xlsx",
        case_statistics.statistics_export,
        name="escalation-statistics-export",
    ),
]
