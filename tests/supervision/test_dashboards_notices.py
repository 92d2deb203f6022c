"""The dashboards' panel of what the notices measure: the revised returns' new figures summed
up the tree with a drill-down to each child office, each compared as its definition says; a
subtree whose returns are all of an earlier version reads "not reported", never zero."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from reporting.specs import get_spec
from supervision.dashboards import exports as dashboard_exports
from supervision.dashboards import figures
from supervision.dashboards import notice_indicators as notices
from supervision.dashboards.models import DashboardExport, ExportKind, WeakRegion
from tests import factories as f
from tests.reporting.returns import loan_row, revised_row

pytestmark = pytest.mark.django_db

PERIOD = "2025Q3"
NEW = "2025.2"


def _panel(client, code: str) -> tuple[dict, str]:
    page = client.get(reverse("dashboard", kwargs={"code": code}), {"period": PERIOD})
    assert page.status_code == 200
    found = {panel.key: data for panel, data in page.context["panels"]}
    return found["notices"], page.content.decode()


def _values(data: dict) -> dict:
    return {i.key: i.value for i, _n, _m in data["indicators"]}


@pytest.fixture
def revised(matrix):
    """bank_a in two counties of p1's city and bank_b in p2's county, all on the revised 2025
    version, with a year-end to compare with."""
    m = matrix
    f.accepted_loans(
        m.bank_a,
        [
            revised_row(m.county_a.code, green_balance=70, issued_ytd=600, financing_cost=4),
            revised_row(m.county_b.code, green_balance=30, issued_ytd=200, financing_cost=5),
        ],
        version=NEW,
    )
    f.accepted_loans(m.bank_b, [revised_row(m.county_c.code, green_balance=11)], version=NEW)
    year_end = [revised_row(m.county_a.code, green_balance=50, individual_borrowers=90)]
    f.accepted_loans(m.bank_a, year_end, period="2024Q4", version="2023.2")
    return m


def test_the_new_figures_are_summed_up_the_tree_and_drilled_down(revised, client_for):
    m = revised
    data, body = _panel(client_for(m.users["gb_head"]), m.gb.code)
    values = _values(data)
    assert values["green_balance"] == Decimal(111)
    assert values["private_balance"] == Decimal(1200)
    assert values["large_credit_borrowers"] == 6
    # The cost is weighted by the amounts issued: (4 x 600 + 5 x 200 + 4.25 x 600) / 1400.
    assert values["financing_cost"] == Decimal("4.25")
    assert values["sme_share"] == Decimal("33.33")
    by_office = {
        row.office.code: dict(zip(notices.DRILLED, v, strict=True)) for row, _, v in data["units"]
    }
    assert by_office[m.p1.code]["green_balance"].value == Decimal(100)
    assert by_office[m.p2.code]["green_balance"].value == Decimal(11)
    assert reverse("dashboard", kwargs={"code": m.p1.code}) in body

    data, _ = _panel(client_for(m.users["p1_head"]), m.p1.code)
    assert _values(data)["green_balance"] == Decimal(100)
    green = next(i for i, _n, _m in data["indicators"] if i.key == "green_balance")
    # Keep rising: 100 now against 50 at the previous year-end.
    assert (green.reference, green.on_target) == (Decimal(50), True)
    individual = next(i for i, _n, _m in data["indicators"] if i.key == "individual_borrowers")
    assert (individual.value, individual.reference, individual.on_target) == (80, 90, False)
    assert green.source.en == "2023 notice, item 5; 2022 mechanism (18)"


def test_returns_of_the_earlier_version_read_not_reported_rather_than_zero(matrix, client_for):
    m = matrix
    f.accepted_loans(m.bank_a, [loan_row(m.county_a.code)], version="2025")
    client = client_for(m.users["p1_head"])
    client.cookies["django_language"] = "en"
    data, body = _panel(client, m.p1.code)
    values = _values(data)
    assert values["green_balance"] is None and values["financing_cost"] is None
    # The SME share of all loans needs no new column.
    assert values["sme_share"] == Decimal("33.33")
    green = body.split('data-testid="notice-green_balance"', 1)[1].split("</td>", 1)[0]
    assert "not reported under this version" in green and ">0<" not in green


def test_the_share_lent_in_weak_regions_reads_the_division_list(matrix, client_for):
    m = matrix
    rows = [revised_row(m.county_a.code), revised_row(m.county_b.code)]
    f.accepted_loans(m.bank_a, rows, version=NEW)
    f.accepted_loans(m.bank_b, [revised_row(m.county_c.code)], version=NEW)
    client = client_for(m.users["gb_head"])
    assert _values(_panel(client, m.gb.code)[0])["weak_region_share"] is None  # no list yet

    WeakRegion.objects.create(division_id=m.county_b.code, note="mountain county")
    data, _body = _panel(client, m.gb.code)
    assert _values(data)["weak_region_share"] == Decimal("33.33")
    by_office = {
        row.office.code: dict(zip(notices.DRILLED, v, strict=True)) for row, _, v in data["units"]
    }
    assert by_office[m.p1.code]["weak_region_share"].value == Decimal("50.00")
    assert by_office[m.p2.code]["weak_region_share"].value == Decimal(0)


def test_a_definition_compares_as_it_says():
    basis = figures.Basis({"fees_ytd": Decimal(2), "issued_ytd": Decimal(100)}, None, None, 3)
    found = {
        i.key: i
        for i in notices.notice_indicators(
            {"fees_ytd": Decimal(3), "issued_ytd": Decimal(100), "npl_write_off_ytd": Decimal(5)},
            basis,
        )
    }
    fees = found["fees_share"]
    # Keep falling: 3 per 100 issued against 2 at the year-end misses.
    assert (fees.value, fees.reference, fees.on_target) == (Decimal(3), Decimal(2), False)
    write_off = found["npl_write_off_ytd"]
    assert (write_off.value, write_off.reference, write_off.on_target) == (Decimal(5), None, None)


def test_the_figures_workbook_carries_them_with_not_reported_spelled_out(matrix):
    m = matrix
    f.accepted_loans(m.bank_a, [revised_row(m.county_a.code, green_balance=70)], version=NEW)
    f.accepted_loans(m.bank_b, [loan_row(m.county_c.code)], version="2025")
    export = DashboardExport.objects.create(
        kind=ExportKind.FIGURES, office=m.gb, period=PERIOD, requested_by=m.users["gb_head"]
    )
    dashboard_exports.run(export.pk)
    export.refresh_from_db()
    with export.file.open("rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read()))["通知指标 Notices"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True) if r and r[0]}
    assert Decimal(str(rows["绿色贷款 / Green loans"][2])) == Decimal(70)
    assert rows["绿色贷款 / Green loans"][8] == "1 / 2"  # one of the two returns carries it
    assert rows["绿色贷款 / Green loans"][7] == "2023年通知（五）；2022年长效机制（18） / " + (
        "2023 notice, item 5; 2022 mechanism (18)"
    )
    by_office = {
        r[0]: r
        for r in sheet.iter_rows(values_only=True)
        if r and r[0] in (m.p1.name_zh, m.p2.name_zh)
    }
    green = [d.key for d in notices.DEFINITIONS].index("green_balance") + 1
    assert by_office[m.p2.name_zh][green] == "该版本未报送 not reported under this version"


def test_a_subtree_mixing_versions_says_by_how_many_returns_a_new_figure_was_reported(
    matrix, client_for
):
    """Two returns on the revised version and one on the earlier: green loans are summed from
    two of the three returns, and the page says so; a figure every version carries says
    nothing more."""
    m = matrix
    f.accepted_loans(m.bank_a, [revised_row(m.county_a.code, green_balance=70)], version=NEW)
    f.accepted_loans(m.bank_b, [revised_row(m.county_c.code, green_balance=30)], version=NEW)
    other = f.InstitutionFactory(office=m.p1)
    f.accepted_loans(other, [loan_row(m.county_b.code)], version="2025")
    client = client_for(m.users["gb_head"])
    client.cookies["django_language"] = "en"
    data, body = _panel(client, m.gb.code)
    counts = {i.key: (n, total) for i, n, total in data["indicators"]}
    assert counts["green_balance"] == (2, 3) and counts["sme_share"] == (3, 3)
    assert _values(data)["green_balance"] == Decimal(100)
    assert "reported by 2 of 3 returns" in body
    assert 'data-testid="reported-sme_share"' not in body


@pytest.mark.parametrize(("version", "period"), [("2023.2", "2024Q3"), ("2025.2", "2025Q3")])
def test_every_new_column_of_each_revision_is_summed_up_the_tree(
    matrix, client_for, version, period
):
    """Each figure a revision adds, filed in two provinces, is each province's own at the
    province and their sum at the General Bureau, on the notices panel as in the sums."""
    m = matrix
    spec = get_spec("SME-LOANS", version)
    base = get_spec("SME-LOANS", version.split(".")[0])
    new = [c.key for c in spec.columns if c.is_numeric and c.key not in base.column_keys]
    assert new, version
    f.accepted_loans(m.bank_a, [revised_row(m.county_a.code)], period, version=version)
    f.accepted_loans(m.bank_b, [revised_row(m.county_c.code)], period, version=version)
    found = figures.subtree_figures(m.gb, period)
    by_office = {row.office.code: row.sums for row in found.units if row.office}
    for key in new:
        filed = Decimal(str(revised_row()[key]))
        if key == "financing_cost":  # a rate: averaged, weighted by the amounts issued
            assert found.sums["cost_weight"] == 2 * filed * Decimal(
                str(revised_row()["issued_ytd"])
            )
            continue
        assert found.sums[key] == 2 * filed, key
        assert by_office[m.p1.code][key] == by_office[m.p2.code][key] == filed, key
    page = client_for(m.users["gb_head"]).get(
        reverse("dashboard", kwargs={"code": m.gb.code}), {"period": period}
    )
    shown = {
        i.key: i.value
        for panel, data in page.context["panels"]
        if panel.key == "notices"
        for i, _n, _m in data["indicators"]
    }
    for d in notices.DEFINITIONS:
        if d.value.text in new and d.value.text != "financing_cost":
            assert shown[d.key] == 2 * Decimal(str(revised_row()[d.key])), d.key
