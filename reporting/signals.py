"""What reporting tells the apps above it; ``supervision`` connects in its AppConfig.ready."""

from django.dispatch import Signal

# Sent on commit when a reviewer accepts a filing; kwargs: filing.
filing_accepted = Signal()
