"""Data sampling and verification: a seeded draw stratified by institution, findings with
evidence, the bank seeing the rows drawn from its own filings, and misreporting counting in the
quality of reported data and raised for escalation."""

from decimal import Decimal as D
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from portal.models import Institution, Role
from supervision import causes
from supervision.evaluation import sampling
from supervision.evaluation.models import Evaluation, SampledRow, SampleFinding
from supervision.evaluation.selectors import current_result
from supervision.evaluation.services import score_institutions
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Services answer in the active language: these tests read the English messages."""
    with translation.override("en"):
        yield


@pytest.fixture
def area():
    gb = f.office("000000", "总局")
    p1 = f.office("350000", "甲省局", gb)
    city = f.office("350100", "甲市分局", p1)
    p2 = f.office("440000", "乙省局", gb)
    counties = [f.office(f"35010{n}", f"甲市{n}县", city) for n in (2, 3)]
    banks = [f.InstitutionFactory(office=city) for _ in range(3)]
    outside = f.InstitutionFactory(office=p2, name_zh="外省银行")
    for bank in banks:
        for county in counties:
            f.BranchFactory(institution=bank, office=county)
        f.accepted_return(bank)  # three county rows each: its own and its branches'
    f.accepted_return(outside)
    return {
        "p1": p1,
        "banks": banks,
        "outside": outside,
        "reviewer": f.member(Role.REVIEWER, office=p1),
        "viewer": f.member(Role.VIEWER, office=p1),
    }


def test_a_draw_is_stratified_by_institution_and_reproducible(area):
    first = sampling.draw(area["reviewer"], area["p1"], "2025Q3", 2, seed=42)
    drawn = list(first.rows.values_list("institution_id", "filing_row_id"))
    per_bank = {bank.pk: sum(1 for i, _ in drawn if i == bank.pk) for bank in area["banks"]}
    assert per_bank == {bank.pk: 2 for bank in area["banks"]}
    assert area["outside"].pk not in {i for i, _ in drawn}
    again = sampling.draw(area["reviewer"], area["p1"], "2025Q3", 2, seed=42)
    assert list(again.rows.values_list("institution_id", "filing_row_id")) == drawn
    everything = sampling.draw(area["reviewer"], area["p1"], "2025q3", 50, seed=1)
    assert everything.rows.count() == 9  # no more than each bank filed


def test_drawing_is_for_reviewers_with_returns_to_sample(area):
    with pytest.raises(PermissionDenied):
        sampling.draw(area["viewer"], area["p1"], "2025Q3", 2)
    with pytest.raises(ValidationError, match="No accepted return of 2024Q1"):
        sampling.draw(area["reviewer"], area["p1"], "2024Q1", 2)
    with pytest.raises(ValidationError, match="between 1 and 50"):
        sampling.draw(area["reviewer"], area["p1"], "2025Q3", 0)


def test_findings_need_evidence_and_misreporting_is_raised(
    area, django_capture_on_commit_callbacks
):
    sample = sampling.draw(area["reviewer"], area["p1"], "2025Q3", 1, seed=3)
    row = sample.rows.first()
    with pytest.raises(ValidationError, match="Describe the evidence"):
        sampling.record(area["reviewer"], row, SampleFinding.MISREPORTED, " ")
    with pytest.raises(PermissionDenied):
        sampling.record(area["viewer"], row, SampleFinding.CONFIRMED, "")
    received = []
    causes.cause_found.connect(lambda sender, causes, **kw: received.extend(causes), weak=False)
    task = "supervision.evaluation.tasks.score_institution.delay"
    with mock.patch(task) as rescore, django_capture_on_commit_callbacks(execute=True):
        sampling.record(
            area["reviewer"],
            row,
            SampleFinding.MISREPORTED,
            "贷款余额与台账不符",
            SimpleUploadedFile("台账.pdf", b"%PDF"),
        )
    rescore.assert_called_once_with(row.institution_id, "2025Q3")
    [cause] = received
    assert cause.kind == "misreported-data"
    assert cause.key == f"data-sample:{sample.pk}:{row.institution_id}"
    assert cause.measure == 1
    assert [c.key for c in causes.current("misreported-data", timezone.now())] == [cause.key]
    row.refresh_from_db()
    assert (row.finding, row.evidence_name) == (SampleFinding.MISREPORTED, "台账.pdf")


def test_misreported_rows_lower_the_quality_of_reported_data(area):
    bank = area["banks"][0]
    sample = sampling.draw(area["reviewer"], area["p1"], "2025Q3", 3, seed=5)
    for row in sample.rows.filter(institution=bank)[:2]:
        sampling.record(area["reviewer"], row, SampleFinding.MISREPORTED, "不符")
    score_institutions("2025", Institution.objects.filter(pk=bank.pk))
    line = current_result(Evaluation.objects.get(institution=bank, period="2025")).line("SD3")
    assert line.inputs == {"misreported_rows": D(2)}
    assert line.points == D(3)  # nothing at 5 rows: 5 x 3/5


def test_the_bank_sees_the_rows_drawn_from_its_own_filings(area, client_for):
    mine, other = area["banks"][:2]
    sample = sampling.draw(area["reviewer"], area["p1"], "2025Q3", 1, seed=9)
    row = sample.rows.get(institution=mine)
    sampling.record(area["reviewer"], row, SampleFinding.CORRECTED, "已更正为 600 万元")
    page = client_for(f.member(Role.PREPARER, institution=mine)).get(reverse("sample-list"))
    text = page.content.decode()
    assert "已更正为 600 万元" in text and "Corrected by the bank" in text
    assert text.count("<details>") == 1  # its own row only
    client = client_for(f.member(Role.PREPARER, institution=other))
    assert "已更正为 600 万元" not in client.get(reverse("sample-list")).content.decode()
    assert client.get(reverse("sample-detail", args=[sample.pk])).status_code == 404


def test_the_office_records_findings_on_the_sample_page(area, client_for):
    sample = sampling.draw(area["reviewer"], area["p1"], "2025Q3", 1, seed=11)
    row = sample.rows.first()
    client = client_for(area["reviewer"])
    page = client.get(reverse("sample-detail", args=[sample.pk])).content.decode()
    assert 'data-testid="seed">11<' in page
    client.post(reverse("sample-row-act", args=[row.pk]), {"finding": "confirmed", "note": ""})
    assert SampledRow.objects.get(pk=row.pk).finding == SampleFinding.CONFIRMED
    response = client.post(
        reverse("sample-list"),
        {"office": area["p1"].pk, "period": "2025Q3", "per_institution": 2, "seed": 11},
    )
    assert response.status_code == 302
    viewer = client_for(area["viewer"])
    assert viewer.post(reverse("sample-list"), {"period": "2025Q3"}).status_code == 403
