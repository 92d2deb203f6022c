"""Screening work too large for a page goes to a worker: the page queues it, the task page
follows it, and it runs once, all or nothing."""

import pytest
from django.urls import reverse

from supervision.screening import jobs as screening_jobs
from supervision.screening.models import ScreeningJob, ScreeningTask
from tests import factories as f
from tests.supervision.screening_helpers import (
    list_row,
    list_workbook,
    matrix_banks_only,
    post_new_task,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def matrix(matrix):
    return matrix_banks_only(matrix)


@pytest.fixture
def everything_is_large(monkeypatch):
    monkeypatch.setattr(screening_jobs, "SYNC_ENTERPRISES", 0)
    monkeypatch.setattr(screening_jobs, "SYNC_LIST_BYTES", 0)


def test_a_large_delegation_is_queued_and_the_page_follows_it(
    matrix, client_for, everything_is_large
):
    head = matrix.users["p1_head"]
    task = f.screening_task(head, matrix.city1, {"350102": 2, "350121": 1})
    client = client_for(head)
    url = reverse("screening-task", args=[task.pk])
    page = client.post(url, {"action": "delegate_by_county"}, follow=True)
    assert "Delegating by county: in progress." in page.content.decode()
    job = ScreeningJob.objects.get(task=task)
    assert job.status == ScreeningJob.Status.QUEUED
    assert set(task.enterprises.values_list("holder", flat=True)) == {matrix.city1.pk}
    jobs_url = reverse("screening-task-jobs", args=[task.pk])
    polled = client.get(jobs_url, {"office": matrix.city1.code}, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' in polled.content.decode()

    screening_jobs.run(job.pk)
    screening_jobs.run(job.pk)  # a second run of a finished job does nothing
    job.refresh_from_db()
    assert (job.status, job.result) == (ScreeningJob.Status.DONE, {"enterprises": 3, "offices": 2})
    done = client.get(jobs_url, {"office": matrix.city1.code}, HTTP_HX_REQUEST="true")
    assert done.headers["HX-Refresh"] == "true"
    assert "Delegated 3 enterprises to 2 offices." in client.get(url).content.decode()


def test_a_large_list_is_read_by_the_worker(matrix, client_for, tmp_path, everything_is_large):
    client = client_for(matrix.users["p1_head"])
    path = list_workbook(tmp_path / "big.xlsx", [list_row("350102"), list_row("350121")])
    response = post_new_task(client, matrix.p1, "大清单", path)
    task = ScreeningTask.objects.get(title="大清单")
    assert response.url == reverse("screening-task", args=[task.pk])
    assert task.enterprise_count == 0 and task.list_file
    screening_jobs.run(task.jobs.get().pk)
    task.refresh_from_db()
    assert task.enterprise_count == 2 and task.enterprises.count() == 2
    page = client.get(response.url).content.decode()
    assert "The task was created with 2 enterprises." in page


def test_a_large_list_with_errors_fails_whole_and_says_why(
    matrix, client_for, tmp_path, everything_is_large
):
    client = client_for(matrix.users["p1_head"])
    path = list_workbook(tmp_path / "bad.xlsx", [list_row("350102"), list_row("999999")])
    post_new_task(client, matrix.p1, "错误大清单", path)
    task = ScreeningTask.objects.get(title="错误大清单")
    job = task.jobs.get()
    screening_jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == ScreeningJob.Status.FAILED
    assert any("999999" in error for error in job.errors)
    assert not task.enterprises.exists()
    page = client.get(reverse("screening-task", args=[task.pk])).content.decode()
    assert "999999" in page


@pytest.mark.worker
def test_a_queued_job_is_run_by_the_worker(celery_worker, matrix, everything_is_large):
    head = matrix.users["p1_head"]
    task = f.screening_task(head, matrix.city1, {"350102": 2})
    job = screening_jobs.submit(head, task, matrix.city1, ScreeningJob.Kind.DELEGATE_BY_COUNTY, {})
    celery_worker.wait_until(
        lambda: ScreeningJob.objects.get(pk=job.pk).status == ScreeningJob.Status.DONE,
        what="the worker to delegate the task",
    )
    assert set(task.enterprises.values_list("holder", flat=True)) == {matrix.county_a.pk}
