"""Pages of returns: spec documentation and templates, filings, reports and review."""

urlpatterns: list = []
