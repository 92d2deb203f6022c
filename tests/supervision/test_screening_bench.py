"""bench_screening: every step's timing line, on a small run; the bench task is gone after."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from supervision.screening.models import ScreeningTask

pytestmark = pytest.mark.django_db


def test_a_small_run_prints_each_step_and_cleans_up():
    out = StringIO()
    call_command("bench_screening", "--enterprises", "300", stdout=out)
    text = out.getvalue()
    # The demo's Fujian holds every county of GB/T 2260, each covered by its nearest office.
    assert re.search(r"300 enterprises in \d+ counties of 福建监管局 \(350000\)", text), text
    for step in (
        "create the task",
        "delegate to every county and assign in round robin",
        "roll up at the province",
        "page: task page, province",
        "page: enterprise history",
    ):
        assert re.search(rf"{re.escape(step)}.*\s\d+\.\d{{3}} s", text), step
    floor = re.search(
        r"delegate to every county and assign in round robin: \d+\.\d{3} s; floor \d+\.\d{3} s "
        r"\(one INSERT \.\.\. SELECT of the assignments\); ours/floor [\d.-]+; load average",
        text,
    )
    assert floor, text
    assert not ScreeningTask.objects.filter(title="bench_screening").exists()


def test_an_unknown_province_is_a_clear_error():
    with pytest.raises(CommandError, match="no provincial bureau 990000"):
        call_command("bench_screening", "--province", "990000", stdout=StringIO())
