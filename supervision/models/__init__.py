from supervision.concepts import modules

# Django finds models in the app's models module: load each part's.
modules("supervision.models")
