"""The public site and the offices' typical cases in the isolation matrix: a case is read and
approved within its office's subtree only; the public pages open for everyone (and, tested
in ``tests/supervision/test_publication_public.py``, for nobody signed in)."""

from supervision.publication import services as publication
from tests.isolation import Case

QUARTER = "2026Q1"


def _pk(name: str):
    return lambda m: {"pk": getattr(m, name).pk}


def _released(m) -> dict:
    publication.build_release(QUARTER)
    return {"quarter": QUARTER}


def _download(m) -> dict:
    return {**_released(m), "table": "complaints-by-province", "fmt": "xlsx"}


def _published(m) -> dict:
    publication.approve_case(m.users["gb_head"], m.typical_case_p1)
    return {"pk": m.typical_case_p1.pk}


OBJECT_URLS = {
    "typical-case-detail": [
        Case("p1_head", "p2_head", _pk("typical_case_p1")),
        Case("p2_head", "p1_head", _pk("typical_case_p2")),
        Case("p1_head", "county_a", _pk("typical_case_p1")),
        Case("p1_head", "bank_a", _pk("typical_case_p1")),
        Case("p1_head", "owner_a", _pk("typical_case_p1")),
    ],
}

ACTION_URLS = {
    "typical-case-action": [
        Case("p1_head", "p2_head", lambda m: {"pk": m.typical_case_p1.pk, "verb": "approve"}),
        Case("p2_head", "county_a", lambda m: {"pk": m.typical_case_p2.pk, "verb": "withdraw"}),
    ],
}

PUBLIC_URLS = {
    "public-statistics": _released,
    "public-download": _download,
    "public-case": _published,
}
