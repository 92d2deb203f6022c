"""``manage.py bench_scoring``: it generates what is missing, scores every institution and says
how long it took and how many queries; the numbers themselves are not asserted."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from portal.models import InstitutionKind
from reporting.models import Filing
from supervision.evaluation.models import Evaluation
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_bench_scoring_scores_every_institution_and_reports_its_queries():
    office = f.office("350000", "甲省局")
    for kind in (InstitutionKind.LARGE, InstitutionKind.VILLAGE, InstitutionKind.INSURER):
        f.InstitutionFactory(office=office, kind=kind)
    out = io.StringIO()
    call_command("bench_scoring", "--year", "2025", stdout=out)
    text = out.getvalue()
    assert "3 institutions; 6 accepted returns generated; 2 target groups" in text
    first = re.search(r"score 2025: 3 institutions in [\d.]+ s .* (\d+) SQL queries", text)
    again = re.search(r"again 2025: 3 institutions .*\(scored 0, unchanged 3, frozen 0\)", text)
    assert first and again
    assert Evaluation.objects.filter(period="2025").count() == 3
    # Running it again generates nothing more and starts the period from scratch.
    out = io.StringIO()
    call_command("bench_scoring", stdout=out)
    assert "0 accepted returns generated" in out.getvalue()
    assert "3 untouched results of 2025 removed" in out.getvalue()
    assert Filing.objects.count() == 6


def test_bench_scoring_needs_institutions_and_a_year():
    with pytest.raises(CommandError, match="run seed_national first"):
        call_command("bench_scoring")
    with pytest.raises(CommandError, match="must be a year"):
        call_command("bench_scoring", "--year", "2025Q3")
