"""Files the portal need not keep: an upload above the size limit is refused before it is
stored, by the API as by the web form; a rejected or check-only file is deleted after
``PORTAL_CHECK_ONLY_RETENTION_DAYS`` by beat's sweep, and its report stays."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portal.models import Role
from reporting import pipeline, retention, tasks
from reporting.models import Filing, FilingStatus
from tests import factories as f
from tests.reporting.returns import loan_row, open_request, workbook

pytestmark = pytest.mark.django_db

UPLOADED = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def filer(matrix):
    preparer = f.member(Role.PREPARER, institution=matrix.bank_a)
    return preparer, open_request(matrix.bank_a, period="2025Q1")


def _stored_files() -> set[Path]:
    return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}


def _post(preparer, request, path: Path, **data):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(preparer)
    with path.open("rb") as handle:
        return api.post(
            reverse("api:filing-list"),
            {"request": request.pk, "file": handle, **data},
            format="multipart",
        )


@pytest.mark.parametrize("check_only", [True, False])
def test_the_api_refuses_a_file_above_the_limit_before_storing_it(
    filer, tmp_path, settings, check_only
):
    preparer, request = filer
    path = workbook(tmp_path / "big.xlsx", [loan_row()])
    settings.PORTAL_UPLOAD_MAX_BYTES = path.stat().st_size - 1
    before = _stored_files()

    response = _post(preparer, request, path, check_only=check_only)

    assert response.status_code == 400, response.content
    assert "larger than" in response.content.decode()
    assert not Filing.objects.filter(request=request).exists()
    assert _stored_files() == before


def test_the_web_form_and_the_api_say_the_same(client_for, filer, tmp_path, settings):
    preparer, request = filer
    path = workbook(tmp_path / "big.xlsx", [loan_row()])
    settings.PORTAL_UPLOAD_MAX_BYTES = path.stat().st_size - 1
    with path.open("rb") as handle:
        page = client_for(preparer).post(
            reverse("request-detail", args=[request.pk]), {"action": "upload", "file": handle}
        )
    assert page.status_code == 200

    api = _post(preparer, request, path)

    limit_words = "The file is larger than"
    assert limit_words in page.content.decode() and limit_words in api.content.decode()


def _filing(preparer, request, tmp_path, rows, check_only: bool) -> Filing:
    path = workbook(tmp_path / "q1.xlsx", rows)
    with time_machine.travel(UPLOADED, tick=False):
        response = _post(preparer, request, path, check_only=check_only)
        assert response.status_code == 201, response.content
        pipeline.run(response.json()["id"])
    return Filing.objects.get(pk=response.json()["id"])


def test_a_check_only_file_is_deleted_after_the_retention_days_and_its_report_kept(
    client_for, filer, tmp_path, settings
):
    settings.PORTAL_CHECK_ONLY_RETENTION_DAYS = 7
    preparer, request = filer
    before = _stored_files()
    trial = _filing(preparer, request, tmp_path, [loan_row(credit_balance=99999)], True)
    hits = list(trial.hits.values_list("code", "count"))
    stored = Path(trial.file.path)
    assert hits and _stored_files() == before | {stored}

    with time_machine.travel(UPLOADED + timedelta(days=6, hours=23), tick=False):
        assert retention.remove_expired_files() == 0
    assert stored.exists()

    with time_machine.travel(UPLOADED + timedelta(days=7, minutes=1), tick=False):
        tasks.remove_expired_files()

    trial.refresh_from_db()
    assert not trial.file and _stored_files() == before
    assert list(trial.hits.values_list("code", "count")) == hits
    page = client_for(preparer).get(reverse("filing-detail", args=[trial.pk]))
    assert "The file was deleted 7 days after upload" in page.content.decode()
    assert client_for(preparer).get(reverse("filing-file", args=[trial.pk])).status_code == 404


def test_a_rejected_version_loses_its_file_a_valid_one_keeps_it(filer, tmp_path, settings):
    settings.PORTAL_CHECK_ONLY_RETENTION_DAYS = 3
    preparer, request = filer
    rejected = _filing(preparer, request, tmp_path, [loan_row(credit_balance=99999)], False)
    valid = _filing(preparer, request, tmp_path, [loan_row()], False)
    assert (rejected.status, valid.status) == (FilingStatus.REJECTED, FilingStatus.VALID)

    with time_machine.travel(UPLOADED + timedelta(days=4), tick=False):
        assert retention.remove_expired_files() == 1
        assert retention.remove_expired_files() == 0  # done once

    rejected.refresh_from_db()
    valid.refresh_from_db()
    assert not rejected.file and valid.file
    assert Path(valid.file.path).exists()


def test_the_sweep_is_on_beat_s_schedule():
    tasks_on_beat = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "reporting.tasks.remove_expired_files" in tasks_on_beat
    assert settings.PORTAL_CHECK_ONLY_RETENTION_DAYS == 7
