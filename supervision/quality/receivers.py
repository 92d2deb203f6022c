"""The quality capability's scoping: a mark is seen by the offices over the return's filer."""

from portal import scoping
from supervision.quality.models import FigureMark

scoping.register(
    FigureMark,
    office=scoping.under("filing__institution__office__path", "filing__branch__office__path"),
)
