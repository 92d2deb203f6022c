from supervision.concepts import modules

# Celery's autodiscovery imports this package: load each part's tasks.
modules("supervision.tasks")
