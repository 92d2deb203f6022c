from supervision.concepts import modules

urlpatterns = [pattern for part in modules("supervision.urls") for pattern in part.urlpatterns]
