from django.urls import path, re_path

from supervision.publication import views

QUARTER = r"(?P<quarter>\d{4}Q[1-4])"

urlpatterns = [
    path("public/", views.public_index, name="public-index"),
    re_path(rf"^public/statistics/{QUARTER}/$", views.public_statistics, name="public-statistics"),
    re_path(
        rf"^public/statistics/{QUARTER}/(?P<table>[a-z-]+)\.(?P<fmt>csv|xlsx)$",
        views.public_download,
        name="public-download",
    ),
    path("public/dictionary/", views.public_dictionary, name="public-dictionary"),
    path("public/dictionary.csv", views.public_dictionary_csv, name="public-dictionary-csv"),
    path("public/cases/", views.public_cases, name="public-cases"),
    path("public/cases/<int:pk>/", views.public_case, name="public-case"),
    path("typical-cases/", views.case_list, name="typical-case-list"),
    path("typical-cases/<int:pk>/", views.case_detail, name="typical-case-detail"),
    path("typical-cases/<int:pk>/<slug:verb>/", views.case_action, name="typical-case-action"),
]
