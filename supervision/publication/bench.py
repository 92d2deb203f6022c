"""The public pages' benchmark (``manage.py bench_public``, after the complaints' bench has
seeded a year of complaints): the four quarters' releases built as beat builds them, then each
public page and download rendered cold (its release and files out of the cache) and from the
cache."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from statistics import median
from time import perf_counter

from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reporting import periods
from supervision.publication import services
from supervision.publication.dictionary import tables


@dataclass
class Timing:
    url: str
    cold: float
    warm: float

    def line(self) -> str:
        return f"{self.url:<60} cold {self.cold:.3f} s   cached {self.warm:.3f} s"


def year_quarters(last: str) -> list[str]:
    quarters = [last]
    for _ in range(3):
        quarters.insert(0, periods.previous_quarter(quarters[0]))
    return quarters


def _timed(render: Callable[..., object], *args: object) -> float:
    started = perf_counter()
    render(*args)
    return perf_counter() - started


def measure(quarters: list[str], runs: int) -> list[Timing]:
    client = Client()
    urls = [reverse("public-index"), reverse("public-dictionary"), reverse("public-cases")]
    for quarter in quarters:
        urls.append(reverse("public-statistics", args=[quarter]))
    for key in tables():
        urls.append(reverse("public-download", args=[quarters[-1], key, "xlsx"]))
        urls.append(reverse("public-download", args=[quarters[-1], key, "csv"]))

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    timings = []
    for url in urls:
        for quarter in quarters:
            cache.delete_many(services.cache_keys(quarter))
        cold = _timed(get, url)
        warm = median(_timed(get, url) for _ in range(runs))
        timings.append(Timing(url, cold, warm))
    return timings


def build(quarters: list[str]) -> list[tuple[str, float]]:
    return [(q, _timed(services.build_release, q)) for q in quarters]


def last_full_quarter(today: date | None = None) -> str:
    return periods.previous_quarter(periods.quarter_of(today or timezone.localdate()))
