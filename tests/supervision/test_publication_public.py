"""The public site: quarterly tables equal to independent counts, small cells suppressed (a
province with 3 complaints shows no breakdown), downloads with their dictionary, no sign-in,
both languages, and no owner's name, email, phone or credit code on any public page or file."""

import csv
import html
import io
import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from portal.models import Division, InstitutionKind
from supervision.complaints.models import ComplaintStatus
from supervision.publication import services as publication
from supervision.publication.dictionary import SUPPRESSED
from supervision.publication.models import CaseSource
from tests import factories as f
from tests.reporting.returns import loan_row

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")
QUARTER = "2026Q1"


def _complaint(branch, day: int, **fields):
    with time_machine.travel(datetime(2026, 2, day, 10, tzinfo=BEIJING)):
        return f.ComplaintFactory(branch=branch, due_on=date(2026, 3, 1), **fields)


@pytest.fixture
def quarter(matrix):
    """Province 1: 7 complaints (5 fees, 2 rates; 6 answered, 5 on time; 5 rated); province 2:
    3 complaints. Names of a kind no public table may show."""
    m = matrix
    Division.objects.filter(code=m.p1.code).update(name_zh="矩阵甲省", name_en="")
    answered = datetime(2026, 2, 20, 10, tzinfo=BEIJING)
    for n in range(7):
        _complaint(
            m.branch_a1 if n % 2 else m.branch_a2,
            1 + n,
            category="fees" if n < 5 else "rates",
            enterprise_name=f"隐私企业{n}",
            legal_representative=f"隐私法人{n}",
            contact_phone=f"1390000{n:04d}",
            first_answered_at=answered if n < 6 else None,
            answered_late=n == 0,
            status=ComplaintStatus.ACCEPTED if n < 5 else ComplaintStatus.FILED,
            rating=[5, 4, 3, 2, 5][n] if n < 5 else None,
            solved=n < 3 if n < 5 else None,
        )
    for n in range(3):
        _complaint(m.branch_b1, 10 + n, category="credit", contact_phone=f"1370000{n:04d}")
    # A third province with 5, the smallest shown: with one province suppressed, the next
    # smallest goes too (else it could be worked out from the nationwide total).
    p3 = f.office("460000", "矩阵丙省局", m.gb)
    for n in range(5):
        branch = f.BranchFactory(institution=m.bank_b, office=p3)
        rating = {"rating": 4, "solved": True} if n else {}  # four ratings: too few to show
        _complaint(branch, 15 + n, category="credit", first_answered_at=answered, **rating)
    return m


def _rows(key: str) -> dict:
    release = publication.build_release(QUARTER)
    return {r["name_en"]: r for r in release.tables[key]}


def test_province_figures_equal_an_independent_count_and_small_provinces_show_nothing(quarter):
    rows = _rows("complaints-by-province")
    # Named by the province (the division), not by the regulator's office.
    p1, p2, p3 = rows["矩阵甲省"], rows[quarter.p2.name_zh], rows["矩阵丙省局"]
    assert (p1["complaints"], p1["answered"]) == (7, 6)
    assert p1["on_time_share"] == str((Decimal(5) / 6 * 100).quantize(Decimal("0.1")))
    assert (p1["rated"], p1["mean_rating"]) == (5, "3.80")  # (5 + 4 + 3 + 2 + 5) / 5
    assert p1["satisfied_share"] == "60.0" and p1["solved_share"] == "60.0"
    # 2 "rates" complaints: suppressed, and with it the next smallest category of the row.
    assert (p1["category_rates"], p1["category_fees"]) == (SUPPRESSED, SUPPRESSED)
    # Three complaints: no breakdown at all.
    assert all(v == SUPPRESSED for k, v in p2.items() if not k.startswith("name"))
    assert p3["complaints"] == SUPPRESSED  # the next smallest of the column
    assert (p3["rated"], p3["mean_rating"]) == (SUPPRESSED, SUPPRESSED)
    assert rows["Nationwide"]["complaints"] == 15


def test_a_lone_suppressed_category_takes_the_next_smallest_with_it(quarter, settings):
    settings.PORTAL_PUBLIC_MIN_CELL = 3
    p1 = _rows("complaints-by-province")["矩阵甲省"]
    # 5 fees and 2 rates: the rates cell alone would be 7 - 5, so fees goes too.
    assert (p1["category_rates"], p1["category_fees"]) == (SUPPRESSED, SUPPRESSED)
    settings.PORTAL_PUBLIC_MIN_CELL = 2
    p1 = _rows("complaints-by-province")["矩阵甲省"]
    assert (p1["category_rates"], p1["category_fees"], p1["complaints"]) == (2, 5, 7)


def test_kind_and_category_tables(quarter, settings):
    settings.PORTAL_PUBLIC_MIN_CELL = 1
    kinds = _rows("complaints-by-kind")
    assert sum(r["complaints"] for n, r in kinds.items() if n != "Nationwide") == 15
    categories = _rows("complaints-by-category")
    assert categories["Fees and charges"]["complaints"] == 5
    assert categories["Nationwide"]["rated"] == 9
    with translation.override("en"):
        assert str(InstitutionKind(quarter.bank_a.kind).label) in kinds


def test_lending_by_province_from_accepted_returns_suppressed_below_the_institution_count(
    matrix, settings
):
    m = matrix
    f.accepted_loans(m.bank_a, [loan_row(m.county_a.code), loan_row(m.county_b.code)], QUARTER)
    f.accepted_loans(m.bank_b, [loan_row(m.county_c.code, sme_balance=2000)], QUARTER)
    settings.PORTAL_PUBLIC_MIN_CELL = 1
    rows = publication.build_release(QUARTER).tables["lending-by-province"]
    whole = rows[-1]
    assert whole["name_en"] == "Nationwide"
    assert (whole["institutions"], whole["borrowers"], whole["balance"]) == (2, 360, "0.40")
    assert whole["growth"] == str(((Decimal(4000) - 2700) / 2700 * 100).quantize(Decimal("0.1")))
    assert whole["rate"] == "3.85"
    settings.PORTAL_PUBLIC_MIN_CELL = 5
    rows = publication.build_release(QUARTER).tables["lending-by-province"]
    assert all(r["balance"] == SUPPRESSED for r in rows)


def test_public_pages_open_without_sign_in_in_both_languages(quarter, client):
    publication.build_release(QUARTER)
    page = client.get(reverse("public-statistics", args=[QUARTER]))
    assert page.status_code == 200
    assert "Complaints by province" in page.content.decode()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    assert (
        "按省份统计的投诉"
        in client.get(reverse("public-statistics", args=[QUARTER])).content.decode()
    )
    assert client.get(reverse("public-statistics", args=["2019Q1"])).status_code == 404
    assert client.get(reverse("public-index")).status_code == 200


def test_downloads_carry_the_data_dictionary(quarter, client):
    publication.build_release(QUARTER)
    url = reverse("public-download", args=[QUARTER, "complaints-by-province", "csv"])
    body = client.get(url).content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(body)))
    assert header[:2] == ["名称 Name", "投诉件数 Complaints"]
    url = reverse("public-download", args=[QUARTER, "lending-by-province", "xlsx"])
    book = load_workbook(io.BytesIO(client.get(url).content))
    assert book.sheetnames == ["lending-by-province", "数据字典 Dictionary", "说明 Notes"]
    keys = [row[1] for row in book["数据字典 Dictionary"].iter_rows(min_row=2, values_only=True)]
    assert keys == ["name", "institutions", "balance", "growth", "borrowers", "rate"]
    assert client.get(reverse("public-dictionary-csv")).status_code == 200


def _public_urls(quarter_label: str, case_pk: int) -> list[str]:
    from supervision.publication.dictionary import tables

    urls = [reverse(n) for n in ("public-index", "public-dictionary", "public-dictionary-csv")]
    urls += [reverse("public-cases"), reverse("public-case", args=[case_pk])]
    urls.append(reverse("public-statistics", args=[quarter_label]))
    for key in tables():
        for fmt in ("csv", "xlsx"):
            urls.append(reverse("public-download", args=[quarter_label, key, fmt]))
    return urls


def _text(response) -> str:
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(response.content))
        return "\n".join(
            str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v
        )
    return response.content.decode("utf-8-sig")


def _crawl(client, language: str) -> dict[str, str]:
    """Every page and download reachable from /public/ by its links, with its text."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    found: dict[str, str] = {}
    waiting = [reverse("public-index")]
    while waiting:
        url = waiting.pop()
        if url in found:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        found[url] = _text(response)
        if response["Content-Type"].startswith("text/html"):
            for link in re.findall(r'href="(/public/[^"#?]*)"', found[url]):
                waiting.append(html.unescape(link))
    return found


def test_no_personal_data_anywhere_under_public(quarter, client, settings):
    from supervision.complaints.models import Complaint

    settings.PORTAL_PUBLIC_MIN_CELL = 1  # even with every cell shown
    case = publication.write_case(
        quarter.users["p1_head"],
        quarter.p1,
        source=CaseSource.SCREENING,
        complaint_reference="",
        consent=False,
        consent_note="",
        title_zh="走访对接",
        title_en="Visits",
        body_zh="县支局走访企业。",
        body_en="The county office visited firms.",
    )
    publication.approve_case(quarter.users["gb_head"], case)
    publication.build_release(QUARTER)
    secrets = set()
    for c in Complaint.objects.select_related("owner"):
        secrets |= {c.enterprise_name, c.legal_representative, c.contact_phone}
        secrets |= {c.enterprise_credit_code, c.owner.email, c.owner.full_name, c.owner.phone}
    secrets.discard("")
    for language in ("zh-hans", "en"):
        pages = _crawl(client, language)
        # The crawl reached every page and download there is, by following links only.
        assert set(_public_urls(QUARTER, case.pk)) <= set(pages), language
        for url, body in pages.items():
            leaked = [s for s in secrets if s in body]
            assert not leaked, (url, leaked)


def test_downloads_come_from_the_cache_until_the_release_is_rebuilt(
    quarter, client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    publication.build_release(QUARTER)
    url = reverse("public-download", args=[QUARTER, "complaints-by-province", "csv"])
    first = client.get(url).content
    # The file itself is kept: served again without even reading its release.
    cache.delete(publication.release_cache_key(QUARTER))
    with django_assert_num_queries(0):
        assert client.get(url).content == first
    _complaint(quarter.branch_b1, 25, category="credit")
    assert client.get(url).content == first  # the cached file until the release is rebuilt
    with django_capture_on_commit_callbacks(execute=True):
        publication.build_release(QUARTER)
    assert "Nationwide,16," in client.get(url).content.decode("utf-8-sig")
