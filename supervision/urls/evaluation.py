from django.urls import path

from supervision.views import evaluation

urlpatterns = [
    path("evaluation/", evaluation.ranking, name="evaluation-ranking"),
    path("evaluation/ranking.xlsx", evaluation.ranking_export, name="evaluation-ranking-xlsx"),
    path("evaluation/score/", evaluation.score_period, name="evaluation-score"),
    path("evaluation/<int:pk>/", evaluation.scorecard, name="evaluation-detail"),
    path(
        "evaluation/<int:pk>/scorecard.xlsx",
        evaluation.scorecard_export,
        name="evaluation-xlsx",
    ),
]
urlpatterns += [
    path("evaluation/<int:pk>/act/", evaluation.act, name="evaluation-act"),
    path("evaluation/evidence/<int:pk>/", evaluation.evidence_file, name="evaluation-evidence"),
]
