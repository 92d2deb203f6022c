"""bench_screening: every step's timing line, on a small run; the bench task is gone after."""

import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from supervision.screening import bench
from supervision.screening.models import ScreeningTask, TaskEnterprise

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
        "page: across tasks, per bank",
        "page: across tasks, per office",
        "page: across tasks, per task",
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


def test_the_days_to_first_contact_it_prints_are_those_of_its_answers():
    out = StringIO()
    call_command("bench_screening", "--enterprises", "300", "--keep", stdout=out)
    task = ScreeningTask.objects.get(title="bench_screening")
    pushed = TaskEnterprise.objects.filter(task=task, assignment__isnull=False)
    # Its answers: an enterprise whose id is 0, 1 or 2 modulo 5 is contacted 5, 10 or 20 days
    # after its push; the others not yet.
    by_rest = Counter(pk % 5 for pk in pushed.values_list("pk", flat=True))
    contacted = by_rest[0] + by_rest[1] + by_rest[2]
    bands = f"0-3:0 4-7:{by_rest[0]} 8-14:{by_rest[1]} 15-30:{by_rest[2]} 31+:0"
    assert f"    total: {pushed.count()}, {contacted}, " in out.getvalue()
    assert f", {bands}\n" in out.getvalue()
    bench.remove(task)


def test_a_national_run_passes_a_general_bureau_task_down_through_the_job(matrix, monkeypatch):
    from supervision.screening import bench_national

    monkeypatch.setattr(bench_national, "SAMPLE_ROWS", 25)  # the sample is repeated to 60
    out = StringIO()
    call_command("bench_screening", "--national", "--enterprises", "60", "--keep", stdout=out)
    text = out.getvalue()
    assert re.search(r"60 enterprises in \d+ counties of 2 provinces", text), text
    assert "the job: done" in text, text
    assert re.search(
        r"the worker's job\): \d+\.\d{3} s; floor \d+\.\d{3} s .*ours/floor [\d.-]+", text
    ), text
    assert re.search(r"roll up at the General Bureau.*\s\d+\.\d{3} s", text), text
    task = ScreeningTask.objects.get(title="bench_screening")
    enterprises = TaskEnterprise.objects.filter(task=task)
    assert enterprises.values("credit_code").distinct().count() == 60
    # every enterprise left the General Bureau for the office of its county
    assert not enterprises.filter(holder=matrix.gb).exists()
    bench.remove(task)
