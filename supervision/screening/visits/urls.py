from django.urls import path

from supervision.screening.visits import views

urlpatterns = [
    path("screening/visits/", views.visit_app, name="screening-visit-app"),
    path("screening/visits/sw.js", views.service_worker, name="screening-visit-worker"),
    path(
        "screening/visits/manifest.webmanifest",
        views.manifest,
        name="screening-visit-manifest",
    ),
    path("screening/visits/<int:pk>/", views.visit_detail, name="screening-visit"),
    path("screening/visits/photos/<int:pk>/", views.visit_photo, name="screening-visit-photo"),
]
