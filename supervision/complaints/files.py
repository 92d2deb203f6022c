"""Complaint attachments: PDF and images only, their type read from their first bytes.

The name a file arrives with says nothing: a script renamed ``receipt.pdf`` is refused, a
photo named ``scan.pdf`` is kept as the image it is. Files are stored through Django's
storage under a name of our own, and served back only as a download with the type we found.
"""

import uuid
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from portal.stored_files import save_file, sha256_of
from supervision.complaints.models import Attachment, Complaint, ComplaintEvent

# (leading bytes, content type, extension); WebP is checked apart (its marker is at byte 8).
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
)


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a PDF or image by its first bytes, else None."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def _head(upload: UploadedFile) -> bytes:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return head


def check_uploads(uploads: Sequence[UploadedFile]) -> None:
    """Refuse, naming the file, anything too large, too many, or not a PDF or image."""
    limit = settings.PORTAL_COMPLAINT_ATTACHMENT_MAX_FILES
    if len(uploads) > limit:
        raise ValidationError(_("Attach at most %(n)d files.") % {"n": limit})
    size_limit = settings.PORTAL_COMPLAINT_ATTACHMENT_MAX_BYTES
    for upload in uploads:
        assert upload.size is not None, "a request's uploads have their size"
        if upload.size > size_limit:
            raise ValidationError(
                _("%(name)s is larger than %(limit)s.")
                % {"name": upload.name, "limit": filesizeformat(size_limit)}
            )
        if upload.size == 0:
            raise ValidationError(_("%(name)s is empty.") % {"name": upload.name})
        if sniff(_head(upload)) is None:
            raise ValidationError(
                _(
                    "%(name)s is not a PDF or an image (PNG, JPEG, GIF, WebP), whatever its "
                    "name says; only those can be attached."
                )
                % {"name": upload.name}
            )


def store_uploads(
    complaint: Complaint, event: ComplaintEvent, uploads: Sequence[UploadedFile], user
) -> list[Attachment]:
    """Store checked uploads (``check_uploads``) with the step they came with."""
    stored = []
    for upload in uploads:
        sniffed = sniff(_head(upload))
        assert sniffed is not None and upload.name is not None, "checked by check_uploads"
        content_type, extension = sniffed
        sha256, size = sha256_of(upload)
        attachment = Attachment(
            complaint=complaint,
            event=event,
            original_name=upload.name[-255:],
            content_type=content_type,
            size=size,
            sha256=sha256,
            uploaded_by=user,
        )
        save_file(attachment.file, f"{uuid.uuid4().hex}.{extension}", upload)
        attachment.save()
        stored.append(attachment)
    return stored
