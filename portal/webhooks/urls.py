from django.urls import path

from portal.webhooks import views

urlpatterns = [
    path("", views.endpoint_list, name="webhook-list"),
    path("<int:pk>/", views.endpoint_detail, name="webhook-detail"),
    path("<int:pk>/<slug:verb>/", views.endpoint_action, name="webhook-action"),
]
