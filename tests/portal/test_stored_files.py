"""A failure half-way through a change that stores files leaves no file behind: a complaint
whose filing breaks after its attachment was written, an upload whose audit record fails; and
a change that succeeds keeps its files."""

from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from portal.models import Role
from portal.stored_files import atomic_with_files, save_file
from reporting import filings
from reporting.models import Filing
from supervision.complaints import services as complaints
from supervision.complaints.models import Attachment, Complaint
from tests import factories as f
from tests.reporting.returns import loan_row, open_request, upload, workbook
from tests.supervision.test_complaints_lifecycle import file_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _stored(media: Path) -> set[Path]:
    return {p for p in media.rglob("*") if p.is_file()} if media.exists() else set()


def test_a_complaint_that_fails_after_storing_its_attachment_leaves_no_file(matrix, media):
    scan = SimpleUploadedFile("scan.pdf", f.pdf_bytes("scan"))
    before = _stored(media)
    with (
        mock.patch.object(complaints.audit, "record", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        file_for(matrix, attachments=[scan])
    assert not Complaint.objects.exists() and not Attachment.objects.exists()
    assert _stored(media) == before

    scan.seek(0)
    kept = file_for(matrix, attachments=[scan])
    assert {Path(a.file.path) for a in kept.attachments.all()} == _stored(media) - before


def test_an_upload_whose_audit_fails_leaves_no_file(matrix, media, tmp_path):
    bank = matrix.bank_a
    preparer = f.member(Role.PREPARER, institution=bank)
    path = workbook(tmp_path / "q1.xlsx", [loan_row("350102")])
    request = open_request(bank, period="2025Q1")
    before = _stored(media)
    with (
        mock.patch.object(filings.audit, "record", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError),
    ):
        upload(preparer, request, path)
    assert not Filing.objects.filter(original_name=path.name).exists()
    assert _stored(media) == before


def test_files_saved_in_a_block_that_succeeds_stay(media):
    attachment = Attachment()
    with atomic_with_files():
        save_file(attachment.file, "kept.pdf", SimpleUploadedFile("kept.pdf", b"%PDF-1.4"))
    assert _stored(media) == {Path(attachment.file.path)}


def test_a_failure_after_the_commit_keeps_the_files_the_committed_rows_name(
    media, transactional_db
):
    def fails_after_commit():
        raise RuntimeError("the broker is down")

    attachment = Attachment()
    # A real commit (transactional_db): the callback runs as the block closes, as in a request.
    with pytest.raises(RuntimeError), atomic_with_files(durable=True):
        save_file(attachment.file, "kept.pdf", SimpleUploadedFile("kept.pdf", b"%PDF-1.4"))
        transaction.on_commit(fails_after_commit)
    assert _stored(media) == {Path(attachment.file.path)}
