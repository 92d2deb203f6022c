"""The visits' scoping rule: the assigning office and the offices above it see a visit, and so
does the bank (institution or branch) of the assignment it was made under."""

from portal import scoping
from supervision.screening.visits.models import Visit, VisitPhoto

scoping.register(
    Visit,
    office=scoping.under("office_path"),
    institution=scoping.among("assignment__institution_id"),
    branch=scoping.among("assignment__branch_id"),
)
scoping.register(
    VisitPhoto,
    office=scoping.under("visit__office_path"),
    institution=scoping.among("visit__assignment__institution_id"),
    branch=scoping.among("visit__assignment__branch_id"),
)
