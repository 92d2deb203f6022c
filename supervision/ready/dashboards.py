"""The dashboards' scoping: an export is its requester's alone (it was built with their
scope)."""

from portal import scoping
from supervision.models.dashboards import DashboardExport

scoping.register(DashboardExport, owner=scoping.owned_by("requested_by"))
