"""The load check counts uploads by the filing ids the portal answered them with (the locust
users' ledger), not by locust's request count (its CSV, a snapshot taken every second, missed
uploads finishing as the run stopped: CI counted 10 accepted uploads for 11 filings that way).
An upload sent and never answered may account for one filing; a filing nothing accounts for
fails the check."""

import json
from pathlib import Path

import pytest
from django.utils import timezone

from reporting import loadcheck
from reporting.models import FilingStatus
from tests import factories as f

pytestmark = pytest.mark.django_db

# Locust's statistics, one upload fewer than the portal answered: the count is not used.
STATISTICS = [
    {"name": "upload", "num_requests": 1, "num_failures": 0, "response_times": {"120": 1}},
    {"name": "home", "num_requests": 3, "num_failures": 1, "response_times": {"40": 2, "90": 1}},
]


def _run(folder: Path, matrix, ledger: list[str]) -> loadcheck.Outcome:
    since = timezone.now()
    (folder / "load.json").write_text(json.dumps(STATISTICS))
    first = f.FilingFactory(request=matrix.request_a1)
    second = f.FilingFactory(request=matrix.request_a1, status=FilingStatus.VALIDATING)
    lines = [line.format(first=first.pk, second=second.pk) for line in ledger]
    (folder / loadcheck.LEDGER).write_text("\n".join(lines) + "\n")
    second.status = FilingStatus.VALID  # the worker finished it
    second.save()
    return loadcheck.outcome(folder, since)


def test_uploads_are_counted_by_the_ids_the_portal_answered(tmp_path, matrix):
    ledger = ["sent a", "filing a {first}", "sent b", "filing b {second}"]
    outcome = _run(tmp_path, matrix, ledger)
    assert (len(outcome.answered), outcome.unanswered, outcome.refused) == (2, 0, 0)
    assert outcome.exact
    _upload, home, everything = outcome.requests
    assert (home.name, home.count, home.failed, home.median_ms, home.p95_ms) == (
        "home",
        3,
        1,
        40,
        90,
    )
    assert (everything.name, everything.count, everything.failed) == ("Aggregated", 4, 1)


def test_an_upload_cut_off_by_the_end_of_the_run_may_account_for_one_filing(tmp_path, matrix):
    ledger = ["sent a", "filing a {first}", "sent b", "sent c", "refused c 500"]
    outcome = _run(tmp_path, matrix, ledger)
    assert (len(outcome.answered), outcome.unanswered, outcome.refused) == (1, 1, 1)
    assert outcome.exact and outcome.unexplained == 0


def test_a_filing_no_upload_accounts_for_fails_the_check(tmp_path, matrix):
    ledger = ["sent a", "filing a {first}", "sent b", "refused b 500"]
    outcome = _run(tmp_path, matrix, ledger)
    assert outcome.unexplained == 1
    assert not outcome.exact


def test_two_answers_naming_one_filing_fail_the_check(tmp_path, matrix):
    ledger = ["sent a", "filing a {first}", "sent b", "filing b {first}", "sent c"]
    outcome = _run(tmp_path, matrix, ledger)
    assert not outcome.exact
