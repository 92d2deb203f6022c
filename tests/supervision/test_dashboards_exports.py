"""Exports of an office's subtree: the consolidated returns (one sheet per return, formulas
escaped) and the dashboard figures, built by a worker and offered for download."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from portal.models import Institution
from reporting import synthetic
from reporting.specs import get_spec
from supervision.dashboards import exports as dashboard_exports
from supervision.dashboards import figures
from supervision.dashboards.models import DashboardExport, ExportKind
from tests import factories as f
from tests.reporting.returns import loan_row

pytestmark = pytest.mark.django_db

PERIOD = "2025Q3"
HOSTILE = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def returns(matrix):
    m = matrix
    Institution.objects.filter(pk=m.bank_a.pk).update(name_zh=HOSTILE)
    f.accepted_loans(
        m.bank_a,
        [loan_row(m.county_a.code, sme_balance=1234.56), loan_row(m.county_b.code)],
    )
    f.accepted_loans(m.bank_b, [loan_row(m.county_c.code, sme_balance=777)])
    insurer = f.InstitutionFactory(kind="insurer", office=m.p1)
    lines = synthetic.synthetic_frame(get_spec("SME-INSURANCE"), 3).to_dicts()
    f.accepted_loans(insurer, lines, spec_code="SME-INSURANCE")
    return m


def built(user, office, kind) -> openpyxl.Workbook:
    export = DashboardExport.objects.create(
        kind=kind, office=office, period=PERIOD, requested_by=user
    )
    dashboard_exports.run(export.pk)
    export.refresh_from_db()
    assert export.status == DashboardExport.Status.DONE, export.error
    with export.file.open("rb") as handle:
        return openpyxl.load_workbook(io.BytesIO(handle.read()))


def data_rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(min_row=3, values_only=True))


def test_consolidated_returns_have_a_sheet_per_return_with_the_subtrees_rows(returns):
    m = returns
    book = built(m.users["p1_head"], m.p1, ExportKind.RETURNS)
    assert book.sheetnames == ["SME-INSURANCE", "SME-LOANS"]
    loans = book["SME-LOANS"]
    assert loans.cell(1, 7).value == get_spec("SME-LOANS").columns[0].heading_zh
    rows = data_rows(loans)
    # bank_a's two counties; bank_b's county is in the other province.
    assert sorted(r[6] for r in rows) == [m.county_a.code, m.county_b.code]
    balances = {r[6]: r[7] for r in rows}
    assert Decimal(str(balances[m.county_a.code])) == Decimal("1234.56")
    # The hostile institution name is text, never a formula.
    assert {r[0] for r in rows} == {"'" + HOSTILE}
    assert len(data_rows(book["SME-INSURANCE"])) == 3


def test_a_county_office_exports_only_its_own_counties(returns):
    m = returns
    book = built(m.users["county_b"], m.county_b, ExportKind.RETURNS)
    assert [r[6] for r in data_rows(book["SME-LOANS"])] == [m.county_b.code]
    assert data_rows(book["SME-INSURANCE"]) == []


def test_the_figures_workbook_holds_the_dashboards_figures(returns):
    m = returns
    book = built(m.users["gb_head"], m.gb, ExportKind.FIGURES)
    assert book.sheetnames == [
        "主要指标 Headline",
        "分辖区 Offices",
        "机构 Institutions",
        "趋势 Trend",
        "通知指标 Notices",
    ]
    found = figures.subtree_figures(m.gb, PERIOD)
    headline = {r[1]: r for r in data_rows(book["主要指标 Headline"])}
    balance = headline["Inclusive SME loan balance"]
    assert Decimal(str(balance[3])) == found.headline[0].value == Decimal("3011.56")
    growth = headline["SME loan growth since the start of the year"]
    assert (Decimal(str(growth[3])), growth[8]) == (
        found.headline[1].value,
        found.missing["loan_growth"],
    )
    institutions = data_rows(book["机构 Institutions"])
    assert {r[1] for r in institutions} == {m.bank_a.credit_code, m.bank_b.credit_code}
    assert any(r[0] == "'" + HOSTILE for r in institutions)


def test_an_export_is_built_once(returns):
    m = returns
    export = DashboardExport.objects.create(
        kind=ExportKind.FIGURES, office=m.p1, period=PERIOD, requested_by=m.users["p1_head"]
    )
    dashboard_exports.run(export.pk)
    export.refresh_from_db()
    name, finished = export.file.name, export.finished_at
    dashboard_exports.run(export.pk)
    export.refresh_from_db()
    assert (export.file.name, export.finished_at) == (name, finished)


def test_no_export_of_an_office_outside_ones_subtree(returns):
    m = returns
    with pytest.raises(PermissionDenied):
        dashboard_exports.request_export(m.users["p2_head"], m.p1, PERIOD, ExportKind.RETURNS)


@pytest.mark.worker
def test_a_worker_builds_the_export_and_the_page_offers_it(celery_worker, returns, client_for):
    m = returns
    client = client_for(m.users["p1_head"])
    page = client.post(
        reverse("dashboard-exports", kwargs={"code": m.p1.code}),
        {"period": PERIOD, "kind": ExportKind.RETURNS},
    )
    export = DashboardExport.objects.get(requested_by=m.users["p1_head"], kind=ExportKind.RETURNS)
    assert page.url == reverse("dashboard-export", kwargs={"pk": export.pk})
    celery_worker.wait_until(
        lambda: DashboardExport.objects.get(pk=export.pk).status == DashboardExport.Status.DONE,
        what="the export to be built",
    )
    detail = client.get(page.url)
    download = reverse("dashboard-export-download", kwargs={"pk": export.pk})
    assert download in detail.content.decode()
    response = client.get(download)
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(data_rows(book["SME-LOANS"])) == 2
    assert client_for(m.users["p2_head"]).get(download).status_code == 404
