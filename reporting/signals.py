"""What reporting tells the apps above it; ``supervision`` connects in its AppConfig.ready."""

from django.dispatch import Signal

# Sent on commit when a reviewer accepts a filing; kwargs: filing.
filing_accepted = Signal()

# Sent inside the acceptance's transaction, once the filing is the version in force (and the
# one it supersedes no longer is), for figures that must change with it; kwargs: filing.
filing_accepting = Signal()

# Sent inside the transaction when accepted history is written straight to the tables (the
# demo's earlier quarters, the benchmarks; ``reporting.history``), where no reviewer accepts
# anything; kwargs: filings (a queryset).
history_written = Signal()
