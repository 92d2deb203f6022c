"""Generated returns for a filer and period: a clean one passes the worker's validation with
no issue at all (its counties are where the filer lends, its start of the year is last
year-end's), and one generated with a defect breaks exactly that rule."""

from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest
from django.core.files import File
from django.utils import timezone

from portal.models import Role
from reporting import benchmark, filings, generation, pipeline, synthetic
from reporting.models import Filing, FilingStatus
from reporting.specs import get_spec
from tests import factories as f
from tests.reporting.returns import loan_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def loans_request(matrix):
    """bank_a's SME-LOANS request for 2025Q2; its 2024Q4 return, accepted, covered the
    province and the first county (the second county is new this year)."""
    f.accepted_loans(
        matrix.bank_a,
        [loan_row("350000", sme_balance=800), loan_row("350102", sme_balance=500)],
        "2024Q4",
    )
    return f.ReturnRequestFactory(
        institution=matrix.bank_a,
        period="2025Q2",
        due_date=timezone.localdate() + timedelta(days=20),
    )


def _validated(matrix, request, frame, tmp_path: Path) -> Filing:
    spec = get_spec(request.spec_code, request.spec_version)
    path = tmp_path / "generated.xlsx"
    synthetic.write_return(spec, frame, path)
    preparer = f.member(Role.PREPARER, institution=matrix.bank_a)
    with path.open("rb") as handle:
        filing = filings.filing_upload(preparer, request, File(handle), name=path.name)
    pipeline.run(filing.pk)
    filing.refresh_from_db()
    return filing


def _codes(filing: Filing) -> dict[str, int]:
    """The filing's errors and warnings by rule (notes only say what the reader did)."""
    return dict(filing.hits.exclude(severity="note").values_list("code", "count"))


def test_a_clean_return_for_the_filer_passes_with_no_issue(matrix, loans_request, tmp_path):
    target = generation.for_request(loans_request)
    assert set(target.counties) == {"350000", "350102", "350121"}  # where bank_a lends
    assert target.most_rows == 3

    made = generation.generate(target, 3, [])
    filing = _validated(matrix, loans_request, made.frame, tmp_path)

    assert made.found == {}
    assert (filing.status, _codes(filing)) == (FilingStatus.VALID, {})
    starts = dict(zip(made.frame["county"], made.frame["sme_balance_start"], strict=True))
    assert starts == {"350000": 800, "350102": 500, "350121": 0}


@pytest.fixture
def request_with_history(matrix):
    """bank_a's SME-LOANS request for 2025Q3, after four accepted quarters whose figures
    differ from anything drawn at random, in a province where three peers filed their rates
    for the quarter (2.10 to 2.30, far below the random 2.8 to 5.8)."""
    for index, period in enumerate(("2024Q3", "2024Q4", "2025Q1", "2025Q2")):
        rows = []
        for county, balance in (("350000", 45_000), ("350102", 44_000)):
            # The start of 2025 is the end of 2024 (2024Q4: index 1).
            start = (42_000, 126_000, 100) if index < 2 else (balance + 100, 150_000, 120)
            rows.append(
                loan_row(
                    county,
                    sme_balance=balance + 100 * index,
                    all_balance=150_000,
                    **dict(
                        zip(
                            ("sme_balance_start", "all_balance_start", "borrowers_start"),
                            start,
                            strict=True,
                        )
                    ),
                )
            )
        f.accepted_loans(matrix.bank_a, rows, period)
    for rate in ("2.10", "2.20", "2.30"):
        peer = f.InstitutionFactory(office=matrix.bank_a.office, kind=matrix.bank_a.kind)
        rows = [loan_row(c, issued_rate=rate) for c in ("350000", "350102")]
        f.accepted_loans(peer, rows, "2025Q3")
    return f.ReturnRequestFactory(
        institution=matrix.bank_a,
        period="2025Q3",
        due_date=timezone.localdate() + timedelta(days=9),
    )


def test_a_clean_return_fits_the_filers_own_quarters_and_its_peers(
    matrix, request_with_history, tmp_path
):
    """The outliers the worker looks for (Q301 against the filer's own quarters, Q302 against
    its peers) are looked for when generating too, and a clean return has none."""
    target = generation.for_request(request_with_history)

    made = generation.generate(target, 3, [])
    filing = _validated(matrix, request_with_history, made.frame, tmp_path)

    assert made.found == {}
    assert (filing.status, _codes(filing)) == (FilingStatus.VALID, {})
    by_county = {row["county"]: row for row in made.frame.iter_rows(named=True)}
    assert by_county["350102"]["sme_balance"] == 44_150  # the median of its four quarters
    assert by_county["350121"]["issued_rate"] == 2.2  # a new county: the peers' median


def test_defects_beside_a_history_are_those_asked_for_and_nothing_else(
    matrix, request_with_history, tmp_path
):
    target = generation.for_request(request_with_history)

    made = generation.generate(target, 3, ["V003", "V011"])
    filing = _validated(matrix, request_with_history, made.frame, tmp_path)

    assert _codes(filing) == {"V003": 1, "V011": 1} == made.found


@pytest.mark.parametrize("code", ["V001", "V002", "V003", "V004", "V007", "V011"])
def test_a_defect_asked_for_breaks_that_rule_alone(matrix, loans_request, tmp_path, code):
    made = generation.generate(generation.for_request(loans_request), 3, [code])

    filing = _validated(matrix, loans_request, made.frame, tmp_path)

    assert _codes(filing) == {code: 1} == made.found
    assert [d.rule for d in made.defects] == [code]


def test_several_defects_each_once(matrix, loans_request, tmp_path):
    made = generation.generate(generation.for_request(loans_request), 3, ["V003", "V002"])

    filing = _validated(matrix, loans_request, made.frame, tmp_path)

    assert _codes(filing) == {"V003": 1, "V002": 1}


def test_rows_up_to_what_the_spec_allows_and_no_silent_cap(matrix, loans_request):
    target = generation.for_request(loans_request)
    with pytest.raises(synthetic.TooManyRows, match="at most 3 rows"):
        generation.generate(target, 4, [])

    anywhere = generation.unattached("SME-LOANS", None)
    assert anywhere.most_rows == 3  # the matrix's county-level divisions
    screening = generation.unattached("SCREENING-RESULT", None)
    assert screening.most_rows is None
    assert generation.generate(screening, 300, []).frame.height == 300


def test_a_defect_that_cannot_be_planted_alone_is_refused(loans_request):
    target = generation.for_request(loans_request)
    with pytest.raises(generation.CannotPlant, match="V006"):
        generation.generate(target, 3, ["V006"])  # SME-LOANS has no credit code


def test_the_start_of_the_year_is_compared_with_a_year_end_under_the_older_spec(matrix, tmp_path):
    """2024Q4 was filed under SME-LOANS 2023 (fewer columns) and 2025Q1 under 2025: the worker
    compares them column by column instead of failing on the shapes."""
    old = f.accepted_loans(
        matrix.bank_a, [loan_row("350102", sme_balance=500)], "2024Q4", version="2023"
    )
    request = f.ReturnRequestFactory(
        institution=matrix.bank_a, period="2025Q1", due_date=timezone.localdate()
    )
    assert (old.spec_version, request.spec_version) == ("2023", "2025")
    rows = [
        loan_row("350102", sme_balance_start=500, all_balance_start=3000, borrowers_start=120),
        loan_row("350121", sme_balance_start=0, all_balance_start=0, borrowers_start=0),
    ]

    filing = _validated(matrix, request, pl.DataFrame(rows), tmp_path)

    assert (filing.status, _codes(filing)) == (FilingStatus.VALID, {})


def test_the_ingest_benchmark_files_the_bench_filers_clean_return(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    spec = get_spec("SCREENING-RESULT")
    path = benchmark.bench_file(benchmark.bench_target(spec), 30)
    filing = benchmark.bench_filing(spec, path)

    pipeline.run(filing.pk)

    filing.refresh_from_db()
    assert (filing.status, filing.row_count, filing.error_count) == (FilingStatus.VALID, 30, 0)
    assert filing.warning_count == 0


def test_a_benchmarks_many_banks_are_drawn_in_the_places_given(matrix):
    target = generation.unattached("SME-LOANS", None, ("350102", "350102", "350000"))

    frame = target.frame(3)

    assert sorted(frame["county"].to_list()) == ["350000", "350102", "350102"]
    assert generation.check(target, frame[[0, 2]]) == {}
