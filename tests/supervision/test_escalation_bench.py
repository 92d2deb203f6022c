"""The escalation benchmark prints its numbers and leaves nothing behind."""

import io

import pytest
from django.core.management import CommandError, call_command

from portal.models import Branch
from supervision.escalation.models import Case, CaseCause
from tests import factories as f


def test_the_benchmark_raises_and_sweeps_then_rolls_back(matrix):
    for _ in range(3):
        f.BranchFactory(institution=matrix.bank_b, office=matrix.county_c)
    before = Case.objects.count()
    out = io.StringIO()
    call_command("bench_escalation", cases=3, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[1].endswith("regulators to tell, a viewer and a reviewer at each office")
    assert lines[2].startswith("raise: 3 of 3 cases (")
    assert lines[3].startswith("sweep, all overdue: 3 of 3 cases (")
    assert lines[4].startswith("sweep, nothing due: 0 of 3 cases (")
    assert "(one INSERT ... SELECT of a case per branch); ours/floor " in lines[2]
    assert "(one UPDATE of the due cases); ours/floor " in lines[3]
    assert all("load average" in line for line in lines[2:5])
    assert Case.objects.count() == before
    assert not CaseCause.objects.filter(key__startswith="bench:").exists()


def test_more_cases_than_branches_get_branches_for_the_run_only(matrix):
    branches = Branch.objects.count()
    out = io.StringIO()
    call_command("bench_escalation", cases=50, stdout=out)
    assert out.getvalue().splitlines()[2].startswith("raise: 50 of 50 cases (")
    assert Branch.objects.count() == branches
    assert not CaseCause.objects.filter(key__startswith="bench:").exists()


def test_the_benchmark_needs_a_seeded_branch(db):
    with pytest.raises(CommandError, match="seed_national"):
        call_command("bench_escalation", cases=5)
