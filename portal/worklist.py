"""What waits for the signed-in user, listed first on the home page: returns to review, file
or sign, cases to act on, complaints to answer, and so on. Each part registers a source, a
function of the user giving its items (how many, of what, and the page that lists them);
items of nought are not shown. Sources count with the scoping layer, like every page."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Waiting:
    count: int
    label: Promise | str  # what is waiting, shown before its count: "Returns awaiting review"
    url: str


Source = Callable[[object], Iterable[Waiting]]
SOURCES: dict[str, Source] = {}


def register(key: str, source: Source) -> None:
    """Add a source after those registered (once per key)."""
    SOURCES.setdefault(key, source)


def waiting_for(user) -> list[Waiting]:
    return [item for source in SOURCES.values() for item in source(user) if item.count]
