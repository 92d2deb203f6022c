from django.urls import path

from supervision.quality import views as quality

urlpatterns = [
    path("quality/<str:code>/", quality.flagged_page, name="quality-flagged"),
]
