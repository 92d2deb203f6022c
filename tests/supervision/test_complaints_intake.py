"""Bad input at intake: disguised or oversize attachments, a flood from one address or
account, replayed questions; each refused clearly, none of the legitimate ones lost."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from supervision.complaints.models import Attachment, Complaint
from tests import factories as f
from tests.supervision.test_complaints_pages import (
    intake_data,
    own_cache,  # noqa: F401 (autouse)
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _post(client, m, address="127.0.0.1", **extra):
    return client.post(
        reverse("complaint-file"), intake_data(m, **extra), follow=True, REMOTE_ADDR=address
    )


def test_pdf_and_image_are_kept_by_content_whatever_their_name(matrix, client_for):
    client = client_for(matrix.users["owner_a"])
    files = [
        SimpleUploadedFile("contract.pdf", f.pdf_bytes(), content_type="application/pdf"),
        SimpleUploadedFile("scan.pdf", PNG, content_type="application/pdf"),
    ]
    response = _post(client, matrix, attachments=files)
    assert response.status_code == 200
    c = Complaint.objects.get(enterprise_name="鼓楼小茶馆")
    stored = {a.original_name: a.content_type for a in c.attachments.all()}
    assert stored == {"contract.pdf": "application/pdf", "scan.pdf": "image/png"}
    download = client.get(reverse("complaint-attachment", args=[c.attachments.first().pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == f.pdf_bytes()


@pytest.mark.parametrize(
    "name, content",
    [
        ("invoice.pdf", b"<html><script>alert(1)</script></html>"),
        ("photo.jpg", b"MZ\x90\x00 an executable"),
        ("letter.png", b"PK\x03\x04 a zip or office file"),
    ],
)
def test_disguised_files_are_refused_and_nothing_is_filed(matrix, client_for, name, content):
    response = _post(
        client_for(matrix.users["owner_a"]),
        matrix,
        attachments=[SimpleUploadedFile(name, content)],
    )
    body = response.content.decode()
    assert f"{name} is not a PDF or an image" in body
    assert "续贷时要求追加房产抵押" in body  # what they typed is still there
    assert not Complaint.objects.filter(enterprise_name="鼓楼小茶馆").exists()
    assert not Attachment.objects.filter(original_name=name).exists()


def test_oversize_and_too_many_files_are_refused(matrix, client_for, settings):
    settings.PORTAL_COMPLAINT_ATTACHMENT_MAX_BYTES = 1024
    client = client_for(matrix.users["owner_a"])
    big = SimpleUploadedFile("big.pdf", f.pdf_bytes("x" * 2000))
    assert "big.pdf is larger than 1.0" in _post(client, matrix, attachments=[big]).content.decode()
    settings.PORTAL_COMPLAINT_ATTACHMENT_MAX_FILES = 2
    many = [SimpleUploadedFile(f"{i}.pdf", f.pdf_bytes()) for i in range(3)]
    assert "at most 2 files" in _post(client, matrix, attachments=many).content.decode()
    assert not Complaint.objects.filter(enterprise_name="鼓楼小茶馆").exists()


def test_a_flood_from_one_address_is_held_while_other_owners_file(
    matrix, client_for, settings, client
):
    settings.PORTAL_COMPLAINT_HOURLY_LIMIT = 3
    settings.PORTAL_COMPLAINT_HOURLY_LIMIT_PER_ADDRESS = 4
    flooder = f.UserFactory()
    client_for(flooder)
    for i in range(3):
        _post(client, matrix, enterprise_name=f"刷单{i}", address="203.0.113.9")
    refused = _post(client, matrix, enterprise_name="刷单3", address="203.0.113.9")
    assert "Too many complaints" in refused.content.decode()
    assert "刷单3" in refused.content.decode()  # kept on the page to send later
    # A neighbour behind the same address files once more; then the address is held.
    client_for(f.UserFactory())
    _post(client, matrix, enterprise_name="邻居", address="203.0.113.9")
    held = _post(client, matrix, enterprise_name="同址", address="203.0.113.9")
    assert "Too many complaints" in held.content.decode()
    # The flooding account is held from another address too.
    client_for(flooder)
    moved = _post(client, matrix, enterprise_name="换址", address="198.51.100.7")
    assert "Too many complaints" in moved.content.decode()
    # A legitimate owner elsewhere files as usual.
    client_for(matrix.users["owner_b"])
    _post(client, matrix, enterprise_name="正常投诉", address="198.51.100.20")
    filed = set(Complaint.objects.values_list("enterprise_name", flat=True))
    assert {"刷单0", "刷单1", "刷单2", "邻居", "正常投诉"} <= filed
    assert not filed & {"刷单3", "同址", "换址"}


def test_an_answered_question_cannot_be_replayed(matrix, client_for):
    client = client_for(matrix.users["owner_a"])
    data = intake_data(matrix)
    client.post(reverse("complaint-file"), data)
    again = client.post(reverse("complaint-file"), {**data, "enterprise_name": "重放"})
    assert "already used" in again.content.decode()
    forged = client.post(
        reverse("complaint-file"), {**data, "challenge": "forged", "enterprise_name": "伪造"}
    )
    assert "expired" in forged.content.decode()
    assert not Complaint.objects.filter(enterprise_name__in=["重放", "伪造"]).exists()
