"""Files stored as part of a transaction: if it rolls back, they are deleted again, so that a
failure half-way through leaves no file on disk without the row that names it.

``sha256_of(file)`` is the one digest of a stored file (filings, attachments, evidence).

``atomic_with_files()`` is ``transaction.atomic()`` that also tracks every file saved inside
it with ``save_file``; if the transaction rolls back, those files are deleted before the
exception propagates. An exception raised after the commit (by an on-commit callback) leaves
them: the committed rows name them. (A file
kept by an inner block whose outer transaction rolls back later stays: the services that use
this own their transaction, and say so with ``durable=True``.)
"""

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Evidence documents (a self-assessment's, a sample's, an answer to a notice) are at most this.
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024

_SAVED: ContextVar[list[tuple[Storage, str]] | None] = ContextVar("saved_files", default=None)


def sha256_of(file: File) -> tuple[str, int]:
    """The file's sha256 (hex) and its size in bytes, read in chunks; the file is rewound
    so that it can be stored next."""
    digest, size = hashlib.sha256(), 0
    for chunk in file.chunks():
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    return digest.hexdigest(), size


def save_file(field_file: FieldFile, name: str, content) -> None:
    """``field_file.save(name, content, save=False)``, deleted again if the enclosing
    ``atomic_with_files`` block fails."""
    field_file.save(name, content, save=False)
    saved = _SAVED.get()
    if saved is not None and field_file.name is not None:  # save() has just set the name
        saved.append((field_file.storage, field_file.name))


@contextmanager
def atomic_with_files(*, durable: bool = False) -> Iterator[None]:
    saved: list[tuple[Storage, str]] = []
    committed: list[bool] = []
    token = _SAVED.set(saved)
    try:
        with transaction.atomic(durable=durable):
            # The first of the block's on-commit callbacks: if it ran, the rows naming the
            # files are committed, and a later callback's failure must not take the files.
            transaction.on_commit(lambda: committed.append(True))
            yield
    except BaseException:
        if committed:
            raise
        for storage, name in saved:
            with suppress(OSError):  # the failure that got us here is the one to report
                storage.delete(name)
        raise
    finally:
        _SAVED.reset(token)


def check_evidence(uploads: Iterable[UploadedFile]) -> None:
    """Refuse, naming it, a file larger than ``EVIDENCE_MAX_BYTES``."""
    for upload in uploads:
        if upload.size is not None and upload.size > EVIDENCE_MAX_BYTES:
            raise ValidationError(
                _("%(name)s is larger than %(limit)s.")
                % {"name": upload.name, "limit": filesizeformat(EVIDENCE_MAX_BYTES)}
            )
