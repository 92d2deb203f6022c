from django.urls import path

from supervision.evaluation import area_views, scheme_views
from supervision.evaluation import rectification_views as rectification
from supervision.evaluation import sampling_views as sampling
from supervision.evaluation import views as evaluation

urlpatterns = [
    path("evaluation/", evaluation.ranking, name="evaluation-ranking"),
    path("evaluation/ranking.xlsx", evaluation.ranking_export, name="evaluation-ranking-xlsx"),
    path("evaluation/score/", evaluation.score_period, name="evaluation-score"),
    path("evaluation/areas/", area_views.area_set, name="evaluation-area-set"),
    path(
        "evaluation/areas/<int:pk>/remove/",
        area_views.area_remove,
        name="evaluation-area-remove",
    ),
    path("evaluation/groups/", area_views.group_set, name="evaluation-group-set"),
    path(
        "evaluation/groups/<int:pk>/remove/",
        area_views.group_remove,
        name="evaluation-group-remove",
    ),
    path(
        "evaluation/schemes/<str:version>/",
        scheme_views.scheme_detail,
        name="evaluation-scheme",
    ),
    path("evaluation/<int:pk>/", evaluation.scorecard, name="evaluation-detail"),
    path(
        "evaluation/<int:pk>/scorecard.xlsx",
        evaluation.scorecard_export,
        name="evaluation-xlsx",
    ),
    path(
        "evaluation/<int:pk>/publication.xlsx",
        evaluation.publication_export,
        name="evaluation-publication",
    ),
]
urlpatterns += [
    path("evaluation/<int:pk>/act/", evaluation.act, name="evaluation-act"),
    path("evaluation/evidence/<int:pk>/", evaluation.evidence_file, name="evaluation-evidence"),
]

urlpatterns += [
    path("evaluation/<int:pk>/plan/", rectification.plan, name="evaluation-plan"),
    path("evaluation/<int:pk>/plan/act/", rectification.plan_act, name="evaluation-plan-act"),
    path(
        "evaluation/plan-evidence/<int:pk>/",
        rectification.plan_evidence,
        name="evaluation-plan-evidence",
    ),
]

urlpatterns += [
    path("evaluation/samples/", sampling.sample_list, name="sample-list"),
    path("evaluation/samples/<int:pk>/", sampling.sample_detail, name="sample-detail"),
    path("evaluation/samples/rows/<int:pk>/", sampling.sample_row_act, name="sample-row-act"),
    path(
        "evaluation/samples/rows/<int:pk>/evidence/",
        sampling.sample_row_evidence,
        name="sample-row-evidence",
    ),
]
