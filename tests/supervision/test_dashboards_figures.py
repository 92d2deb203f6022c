"""The dashboard's figures against the same figures worked out here, in plain Python, from the
stored rows of the accepted returns, for a constructed subtree at every level; and the number
of queries a dashboard takes, which does not grow with the tree."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import Division, Institution, InstitutionKind, Office, Role
from reporting.models import FilingRow, FilingStatus
from reporting.specs import spec_for_period
from supervision.dashboards import figures
from supervision.dashboards import panels as dashboards
from supervision.dashboards.indicators import missed_targets
from supervision.formulas import Formula
from supervision.indicators import Definition
from tests import factories as f
from tests.reporting.returns import loan_row

pytestmark = pytest.mark.django_db

PERIOD, YEAR_END, LAST_YEAR = "2025Q3", "2024Q4", "2024Q3"
CENT = Decimal("0.01")


@pytest.fixture
def lending(matrix):
    """The matrix with accepted returns: bank_a for three counties (one covered by its
    sub-bureau directly) and through branch_a1's own return; bank_b in its county and in
    county_a, where it has no branch; a large bank in both provinces that added fewer
    first-time borrowers than a year before; year-end and last-year returns to compare."""
    m = matrix
    Division.objects.create(code="350111", name_zh="矩阵甲市直管县", office=m.city1)
    large = f.InstitutionFactory(name_zh="矩阵大型银行", kind=InstitutionKind.LARGE, office=m.gb)
    f.BranchFactory(institution=large, office=m.county_a)
    f.BranchFactory(institution=large, office=m.county_c)
    f.accepted_loans(
        m.bank_a,
        [
            loan_row(m.county_a.code),
            loan_row(
                m.county_b.code,
                sme_balance=2000,
                sme_balance_start=2100,
                borrowers=90,
                credit_balance=900,
                sme_npl=180,
                issued_rate=4.35,
                issued_ytd=1500,
            ),
            loan_row("350111", sme_balance=500, sme_balance_start=400, technology_balance=0),
        ],
    )
    f.accepted_loans(
        m.bank_a, [loan_row(m.county_a.code, sme_balance=700, first_time=3)], branch=m.branch_a1
    )
    bank_b_rows = [
        loan_row(m.county_c.code, sme_balance=1500, all_balance=4000),
        loan_row(m.county_a.code, sme_balance=333),
    ]
    f.accepted_loans(m.bank_b, bank_b_rows)
    f.accepted_loans(
        large,
        [loan_row(m.county_a.code, first_time=5), loan_row(m.county_c.code, first_time=7)],
    )
    f.accepted_loans(
        large,
        [loan_row(m.county_a.code, first_time=9), loan_row(m.county_c.code, first_time=9)],
        period=LAST_YEAR,
    )
    f.accepted_loans(
        m.bank_a,
        [loan_row(m.county_a.code, credit_balance=100), loan_row(m.county_b.code)],
        period=YEAR_END,
    )
    # Neither a returned filing nor a superseded accepted version counts.
    returned = f.accepted_loans(m.bank_b, [loan_row(m.county_c.code, sme_balance=99_999)])
    returned.status, returned.is_current = FilingStatus.RETURNED, False
    returned.save()
    f.accepted_loans(m.bank_b, bank_b_rows)
    m.large = large
    return m


# -- the same figures, worked out from the rows ------------------------------------------


def stored(period: str, office: Office, institutions, branch=None) -> list[tuple[int, dict]]:
    """(institution id, typed values) of every row of the accepted returns in force."""
    spec = spec_for_period("SME-LOANS", period)
    paths = dict(Division.objects.values_list("code", "office__path"))
    found = []
    for row in FilingRow.objects.filter(
        filing__period=period, filing__is_current=True, filing__status=FilingStatus.ACCEPTED
    ).select_related("filing"):
        if not paths[row.key].startswith(office.path):
            continue
        if row.filing.institution_id not in institutions:
            continue
        if branch is not None and row.filing.branch_id != branch.pk:
            continue
        found.append((row.filing.institution_id, row.values(spec)))
    return found


def summed(rows: list[dict], key: str):
    values = [r[key] for r in rows if r.get(key) is not None]
    return sum(values) if values else None


def pct(part, whole):
    return None if part is None or not whole else (part * 100 / whole).quantize(CENT)


def expected(rows: list[dict], year_end: list[dict], last_year: list[dict]) -> dict:
    s = lambda key: summed(rows, key)  # noqa: E731
    issued = s("issued_ytd")
    rate = sum(r["issued_rate"] * r["issued_ytd"] for r in rows) / issued if issued else None
    year_end_credit = pct(summed(year_end, "credit_balance"), summed(year_end, "sme_balance"))
    return {
        "sme_balance": (s("sme_balance"), s("sme_balance_start")),
        "loan_growth": (
            pct(s("sme_balance") - s("sme_balance_start"), s("sme_balance_start")),
            pct(s("all_balance") - s("all_balance_start"), s("all_balance_start")),
        ),
        "borrowers": (s("borrowers"), s("borrowers_start")),
        "first_time": (s("first_time"), summed(last_year, "first_time")),
        "credit_share": (pct(s("credit_balance"), s("sme_balance")), year_end_credit),
        "new_loan_rate": (rate.quantize(CENT) if rate is not None else None, None),
        "npl_ratio": (
            pct(s("sme_npl"), s("sme_balance")),
            pct(s("all_npl"), s("all_balance")) + 3,
        ),
        "technology_balance": (s("technology_balance"), summed(year_end, "technology_balance")),
    }


def assert_figures_match(found: figures.Figures, office, institutions, branch=None):
    rows = stored(PERIOD, office, institutions, branch)
    year_end = stored(YEAR_END, office, institutions, branch)
    last_year = stored(LAST_YEAR, office, institutions, branch)
    want = expected([r for _, r in rows], [r for _, r in year_end], [r for _, r in last_year])
    got = {i.key: i for i in found.headline}
    for key, (value, reference) in want.items():
        assert got[key].value == value, (office.code, key)
        if key != "new_loan_rate":
            assert got[key].reference == reference, (office.code, key)

    # Institutions missing "not lower than all loans" and "not fewer borrowers", each on
    # its own rows in the subtree.
    missing_growth = missing_borrowers = 0
    for pk in {pk for pk, _ in rows}:
        own = [r for p, r in rows if p == pk]
        e = expected(own, [r for p, r in year_end if p == pk], [r for p, r in last_year if p == pk])
        missing_growth += e["loan_growth"][0] < e["loan_growth"][1]
        missing_borrowers += e["borrowers"][0] < e["borrowers"][1]
    assert found.missing["loan_growth"] == missing_growth, office.code
    assert found.missing["borrowers"] == missing_borrowers, office.code
    assert sum(r.sums.get("sme_balance") or 0 for r in found.units) == want["sme_balance"][0]
    assert sum(r.sums["sme_balance"] for r in found.institutions) == want["sme_balance"][0]


LEVELS = ["gb", "p1", "city1", "county_a", "county_b", "p2", "city2", "county_c"]


@pytest.mark.parametrize("level", LEVELS)
def test_figures_equal_those_worked_out_from_the_rows_at_every_level(lending, level):
    office = getattr(lending, level)
    everyone = set(Institution.objects.values_list("pk", flat=True))
    found = figures.subtree_figures(office, PERIOD)
    assert found.has_data
    assert_figures_match(found, office, everyone)


def test_one_institution_and_one_branch_have_their_own_figures(lending):
    m = lending
    found = figures.subtree_figures(m.p1, PERIOD, institution=m.bank_a)
    assert_figures_match(found, m.p1, {m.bank_a.pk})
    assert [row.branch for row in found.filers] == [m.branch_a1]
    found = figures.subtree_figures(m.county_a, PERIOD, branch=m.branch_a1)
    assert_figures_match(found, m.county_a, {m.bank_a.pk}, m.branch_a1)
    assert found.headline[0].value == 700


def test_targets_count_the_institutions_that_miss_them(lending):
    m = lending
    found = figures.subtree_figures(m.gb, PERIOD)
    # Only the large bank is bound by the first-time target, and it added fewer than a year
    # before (12 against 18).
    first_time = next(i for i in found.headline if i.key == "first_time")
    assert (first_time.value, first_time.reference) == (3 * 12 + 3 + 2 * 12 + 5 + 7, 18)
    assert found.missing["first_time"] == 1
    # bank_a's county_b book shrank: its SME growth is below all loans' in that county.
    # The General Bureau itself has no county, but supervises the large bank's head office.
    by_office = {row.office.code: row for row in found.units}
    assert set(by_office) == {m.gb.code, m.p1.code, m.p2.code}
    assert by_office[m.gb.code].sums == {} and by_office[m.gb.code].on_target == 0
    city1 = figures.subtree_figures(m.city1, PERIOD)
    directly = [row for row in city1.units if row.directly]
    assert [row.office for row in directly] == [m.city1]
    assert directly[0].sums["sme_balance"] == 500
    county_b = {row.office.code: row for row in city1.units}[m.county_b.code]
    assert "loan_growth" in county_b.missed
    # A child office's share on target counts the institutions it supervises (head offices):
    # bank_a, whose book in the province shrank, sits at the province itself.
    province = figures.subtree_figures(m.p1, PERIOD)
    [own] = [row for row in province.units if row.directly]
    assert (own.institutions, own.on_target) == (1, 0)
    assert {row.office.code: row.institutions for row in found.units} == {
        m.gb.code: 1,
        m.p1.code: 1,
        m.p2.code: 1,
    }


def test_the_trend_runs_over_eight_quarters_up_to_the_period(lending):
    found = figures.subtree_figures(lending.p1, PERIOD)
    assert [row.period for row in found.trend][-1] == PERIOD
    assert len(found.trend) == figures.TREND_QUARTERS
    by_period = {row.period: row.by_key["sme_balance"].value for row in found.trend}
    assert by_period[YEAR_END] == 2000  # bank_a's two year-end rows
    assert by_period["2024Q1"] is None


# -- the pages --------------------------------------------------------------------------


def test_a_regulator_drills_down_from_the_general_bureau_to_a_branch(lending, client_for):
    m = lending
    client = client_for(m.users["gb_head"])
    page = client.get(reverse("dashboard-home"))
    assert page.url == reverse("dashboard", kwargs={"code": m.gb.code})
    page = client.get(page.url, {"period": PERIOD})
    body = page.content.decode()
    assert m.p1.name_en in body and m.bank_b.name_en in body
    assert reverse("dashboard", kwargs={"code": m.p1.code}) in body
    page = client.get(reverse("dashboard", kwargs={"code": m.county_a.code}), {"period": PERIOD})
    crumbs = page.content.decode().split('data-testid="breadcrumbs"')[1].split("</nav>")[0]
    for office in (m.gb, m.p1, m.city1, m.county_a):
        assert office.name_en in crumbs
    institution_url = reverse(
        "dashboard-institution", kwargs={"code": m.county_a.code, "pk": m.bank_a.pk}
    )
    assert institution_url in page.content.decode()
    page = client.get(institution_url, {"period": PERIOD})
    assert page.status_code == 200
    branch_url = reverse("dashboard-branch", kwargs={"code": m.county_a.code, "pk": m.branch_a1.pk})
    assert branch_url in page.content.decode()
    page = client.get(branch_url, {"period": PERIOD})
    assert 'data-testid="value-sme_balance">700.00' in page.content.decode()


def test_the_general_bureau_lists_the_largest_institutions_and_links_to_all(
    lending, client_for, monkeypatch
):
    """Past the institutions a page lists, it says how many there are and links to the
    exports, where the figures workbook holds every one; each listed one drills down."""
    m = lending
    monkeypatch.setattr(dashboards, "RANKED", 2)
    page = client_for(m.users["gb_head"]).get(
        reverse("dashboard", kwargs={"code": m.gb.code}), {"period": PERIOD}
    )
    body = page.content.decode()
    ranking = body.split('data-testid="ranking"')[1].split("</table>")[0]
    assert ranking.count("data-institution=") == 2
    every = figures.subtree_figures(m.gb, PERIOD)
    for row in every.institutions[:2]:
        url = reverse("dashboard-institution", kwargs={"code": m.gb.code, "pk": row.institution_id})
        assert url in ranking
    assert "The 2 largest of 3 institutions" in body
    exports = reverse("dashboard-exports", kwargs={"code": m.gb.code})
    assert f'href="{exports}?period={PERIOD}" data-testid="all-institutions"' in body


def test_a_county_office_counts_only_the_institutions_it_supervises(lending, client_for):
    """bank_b lends in county_a without a branch there: the General Bureau counts that row in
    county_a's figures, county_a's own staff neither count nor see it."""
    m = lending
    page = client_for(m.users["county_a"]).get(
        reverse("dashboard", kwargs={"code": m.county_a.code}), {"period": PERIOD}
    )
    body = page.content.decode()
    assert m.bank_b.name_en not in body
    assert m.bank_a.name_en in body
    mine = figures.subtree_figures(
        m.county_a, PERIOD, among=Institution.objects.exclude(pk=m.bank_b.pk)
    )
    everything = figures.subtree_figures(m.county_a, PERIOD)
    assert everything.headline[0].value - mine.headline[0].value == 333
    assert f"{mine.headline[0].value:,.2f}" in body
    outside = client_for(m.users["county_a"]).get(
        reverse("dashboard-institution", kwargs={"code": m.county_a.code, "pk": m.bank_b.pk})
    )
    assert outside.status_code == 404


@pytest.mark.parametrize("user", ["bank_a", "branch_a1", "owner_a"])
def test_banks_and_owners_have_no_dashboard(matrix, client_for, user):
    client = client_for(matrix.users[user])
    assert client.get(reverse("dashboard-home")).status_code == 404
    assert (
        client.get(reverse("dashboard", kwargs={"code": matrix.county_a.code})).status_code == 404
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, {"period": PERIOD}).status_code == 200
    return len(captured)


def _grow(m, provinces: int, banks_per_county: int) -> None:
    """More provinces, sub-bureaus, counties and institutions, each with accepted returns."""
    for p in range(provinces):
        province = f.office(f"{51 + p}0000", f"扩展省{p}", m.gb)
        city = f.office(f"{51 + p}0100", f"扩展市{p}", province)
        for c in range(2):
            county = f.office(f"{51 + p}010{c + 1}", f"扩展县{p}{c}", city)
            for _ in range(banks_per_county):
                bank = f.InstitutionFactory(office=county)
                f.accepted_loans(bank, [loan_row(county.code)])
                f.accepted_loans(bank, [loan_row(county.code)], period=YEAR_END)
            branch = f.BranchFactory(institution=m.large, office=county)
            f.accepted_loans(m.large, [loan_row(county.code)], branch=branch)


def test_queries_do_not_grow_with_offices_or_institutions(lending, client_for):
    m = lending
    client = client_for(m.users["gb_head"])
    url = reverse("dashboard", kwargs={"code": m.gb.code})
    small = _queries(client, url)
    _grow(m, provinces=3, banks_per_county=3)
    assert _queries(client, url) == small
    client = client_for(f.member(Role.HEAD, office=m.gb))
    assert _queries(client, url) == small


def test_before_any_return_is_requested_the_pages_say_so(client_for, db):
    gb = f.office("000000", "总局")
    client = client_for(f.member(Role.VIEWER, office=gb))
    page = client.get(reverse("dashboard", kwargs={"code": gb.code}))
    assert 'data-testid="no-returns"' in page.content.decode()
    assert client.get(reverse("completeness", kwargs={"code": gb.code})).status_code == 200
    board = client.get(reverse("status-board", kwargs={"code": gb.code}))
    assert board.url == reverse("completeness", kwargs={"code": gb.code})
    assert client.get(reverse("dashboard-exports", kwargs={"code": gb.code})).status_code == 200


def test_each_quarter_is_offered_once_newest_first(matrix):
    for bank, period, due in [
        (matrix.bank_a, "2025Q2", date(2025, 7, 25)),
        (matrix.bank_a, "2025Q3", date(2025, 10, 25)),
        (matrix.bank_b, "2025Q3", date(2025, 11, 5)),
        (matrix.bank_b, "2025", date(2026, 1, 31)),
    ]:
        f.ReturnRequestFactory(institution=bank, period=period, due_date=due)
    assert dashboards.quarters() == ["2025Q3", "2025Q2"]


# -- the targets missed, worked out by the database --------------------------------------

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database works out targets on PostgreSQL"
)


@on_postgresql
@pytest.mark.parametrize("level", LEVELS)
def test_the_targets_the_database_finds_missed_are_those_worked_out_here(lending, level):
    """Each institution's missed targets, as the General Bureau's page counts them (in the
    summaries' query), equal the shared definitions worked out on its sums one by one."""
    office = getattr(lending, level)
    found = figures.subtree_figures(office, PERIOD)
    assert found.institutions
    for row in found.institutions:
        assert row.targets_missed is not None, "worked out by the database"
        assert sorted(row.targets_missed) == sorted(
            missed_targets(row.sums, row.basis, row.kind)
        ), (office.code, row.institution_id)
    if level == "gb":
        assert {key for row in found.institutions for key in row.missed} >= {
            "first_time",
            "loan_growth",
        }


@on_postgresql
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("ranked", [1, 2, 20])
def test_a_page_reading_only_the_largest_institutions_counts_them_all(lending, level, ranked):
    """The page reads the ``ranked`` largest institutions' rows and has the database count
    the rest: the same largest first, the same counts of targets missed, of returns by
    version, of institutions in each child office and of those on target, as reading all."""
    office = getattr(lending, level)
    every = figures.subtree_figures(office, PERIOD)
    largest = figures.subtree_figures(office, PERIOD, ranked=ranked)
    assert largest.institution_count == every.institution_count == len(every.institutions)
    shown = every.institutions[:ranked]
    assert [r.institution_id for r in largest.institutions] == [r.institution_id for r in shown]
    assert [(r.sums, r.basis, r.missed) for r in largest.institutions] == [
        (r.sums, r.basis, r.missed) for r in shown
    ]
    assert (largest.missing, largest.versions) == (every.missing, every.versions)
    assert [(u.office, u.institutions, u.on_target, u.sums) for u in largest.units] == [
        (u.office, u.institutions, u.on_target, u.sums) for u in every.units
    ]


@on_postgresql
@pytest.mark.parametrize(
    "text",
    [
        "growth(sme_balance, sme_balance_start)",
        "share(credit_balance, sme_balance)",
        "share(all_npl, all_balance) + npl_tolerance",
        "-borrowers * 2 - 1.5 / first_time",
    ],
)
@pytest.mark.parametrize(
    "values",
    [
        {"sme_balance": "1200.5", "sme_balance_start": "1000", "credit_balance": "300"},
        {"sme_balance": "0", "sme_balance_start": "0", "credit_balance": "0"},  # divides by 0
        {"sme_balance": None, "sme_balance_start": "1000", "credit_balance": "1"},  # not filed
    ],
)
def test_a_formula_in_sql_gives_what_it_gives_in_python(text, values):
    formula = Formula.parse(text)
    given = {
        **{k: None if v is None else Decimal(v) for k, v in values.items()},
        "all_npl": Decimal(7),
        "all_balance": Decimal(350),
        "npl_tolerance": Decimal(3),
        "borrowers": Decimal(12),
        "first_time": Decimal(0) if values["sme_balance"] == "0" else Decimal(4),
    }
    names = sorted(formula.names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {formula.sql(lambda name: f'CAST(%({name})s AS NUMERIC)')}",
            {name: given[name] for name in names},
        )
        (in_sql,) = cursor.fetchone()
    in_python, _reference, _on_target = Definition("k", "k", "%", "%", formula).measure(given)
    if in_python is None:
        assert in_sql is None
    else:
        assert in_sql.quantize(Decimal("1e-12")) == in_python.quantize(Decimal("1e-12"))
