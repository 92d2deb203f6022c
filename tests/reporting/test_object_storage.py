"""Workers that need no shared disk (issue 21, item 6): with ``PORTAL_STORAGE_URL`` set, an
upload is stored in S3-compatible object storage (moto's server, on loopback), a worker with
a data directory of its own validates it from there, and the reviewer accepts it. Without the
setting, files stay on disk as before."""

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

from portal.models import Role
from portal.object_storage import object_storage
from reporting import filings
from reporting.models import Filing, FilingStatus
from tests import factories as f
from tests.reporting.returns import loan_row, open_request, upload, workbook
from tests.worker import CeleryWorker, _clean_broker, _use_queue

BUCKET = "portal-files"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "portal-test",
    "AWS_SECRET_ACCESS_KEY": "portal-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def test_the_default_is_the_disk_and_the_url_names_bucket_prefix_and_endpoint():
    assert django_settings.STORAGES["default"]["BACKEND"] == (
        "django.core.files.storage.FileSystemStorage"
    )
    found = object_storage("s3://files/portal?endpoint_url=http://127.0.0.1:9000&region_name=cn")
    assert found == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "files",
            "file_overwrite": False,
            "location": "portal",
            "endpoint_url": "http://127.0.0.1:9000",
            "region_name": "cn",
        },
    }
    with pytest.raises(ImproperlyConfigured, match="unknown option"):
        object_storage("s3://files?secret=x")
    with pytest.raises(ImproperlyConfigured, match="s3://bucket"):
        object_storage("/srv/files")


@pytest.fixture
def storage_url(monkeypatch) -> Iterator[str]:
    """An S3-compatible server on loopback with an empty bucket; its PORTAL_STORAGE_URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
    try:
        yield f"s3://{BUCKET}/uploads?endpoint_url={endpoint}&region_name=us-east-1"
    finally:
        server.stop()


def _stored_keys(url: str) -> list[str]:
    endpoint = url.split("endpoint_url=")[1].split("&")[0]
    listed = boto3.client("s3", endpoint_url=endpoint).list_objects_v2(Bucket=BUCKET)
    return [item["Key"] for item in listed.get("Contents", [])]


@pytest.fixture
def worker_without_shared_disk(storage_url, transactional_db, settings, tmp_path):
    """A worker whose data directory is not the web process's, both storing files in the
    bucket; the test's tasks go to a queue only it reads."""
    from portal.celery import app

    settings.STORAGES = {**settings.STORAGES, "default": object_storage(storage_url)}
    settings.MEDIA_ROOT = tmp_path / "web" / "media"
    queue = f"portal-test-s3-{uuid.uuid4().hex[:10]}"
    worker = CeleryWorker(
        queue=queue,
        hostname=f"{queue}@{socket.gethostname()}",
        log_path=tmp_path / "worker.log",
        media_root=tmp_path / "worker" / "media",
        data_dir=tmp_path / "worker",
        env={"PORTAL_STORAGE_URL": storage_url, **CREDENTIALS},
    )
    previous = _use_queue(app, queue)
    try:
        worker.start()
        yield worker
        worker.wait_idle()
    finally:
        worker.stop()
        _use_queue(app, previous)
        _clean_broker(app, queue, worker.hostname, keep_reply_queue=True)


def _files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.mark.worker
@pytest.mark.skipif(
    connection.vendor != "postgresql" or not django_settings.REDIS_URL,
    reason="no shared disk means the database and the broker are on the network: PostgreSQL "
    "and Redis, as CI runs",
)
def test_an_upload_goes_through_object_storage_to_accepted(
    worker_without_shared_disk, storage_url, matrix, tmp_path
):
    worker = worker_without_shared_disk
    bank = matrix.bank_a
    preparer = f.member(Role.PREPARER, institution=bank)
    approver = f.member(Role.APPROVER, institution=bank)
    request = open_request(bank, period="2025Q1")
    path = workbook(tmp_path / "q1.xlsx", [loan_row("350102"), loan_row("350121")])

    filing = upload(preparer, request, path)
    assert f"uploads/{filing.file.name}" in _stored_keys(storage_url)
    validated = worker.wait_until(
        lambda: (
            Filing.objects.exclude(status__in=["received", "validating"])
            .filter(pk=filing.pk)
            .first()
        ),
        what="the worker to validate the filing from the bucket",
    )
    assert validated.status == FilingStatus.VALID, list(validated.hits.values_list("code"))
    assert validated.row_count == 2

    signed = filings.filing_sign(approver, validated, {})
    accepted = filings.filing_accept(matrix.users["p1_head"], signed, "")
    assert accepted.status == FilingStatus.ACCEPTED and accepted.is_current
    # Neither process kept the file on its own disk.
    assert _files_under(tmp_path / "web" / "media") == []
    assert _files_under(tmp_path / "worker" / "media") == []
