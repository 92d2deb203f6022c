"""``Idempotency-Key`` on the API's creates: a client that retries after a timeout gets the
first answer again instead of making a second filing, answer or visit.

As Stripe's API does: the key is the client's (any printable ASCII, up to 255 characters,
a UUID is usual), kept per user for ``PORTAL_IDEMPOTENCY_HOURS``. The same key with the same
request (method, path and body; an uploaded file by its content) answers the stored response
with ``Idempotent-Replayed: true``; the same key with another request is a 422; while the
first request still runs, a 409. Only a success is stored: a refused request (4xx) or a
failure leaves the key free, so the client can correct the request and send it again.

A create is made idempotent by decorating its handler with ``@idempotent``; the schema then
documents the header and the 409 and 422 (``portal.schema``), and ``tests/api`` checks that
every ``POST`` in the API is decorated. New creates (visits...) add the decorator and nothing
else.
"""

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from portal.models import IdempotencyKey, User

HEADER = "Idempotency-Key"
KEY_PATTERN = r"^[!-~]{1,255}$"
_KEY = re.compile(KEY_PATTERN)
# A first request silent this long died with its worker: its key may be used again.
ABANDONED_AFTER = timedelta(minutes=10)


class KeyReused(APIException):
    status_code = 422
    default_detail = "This Idempotency-Key was sent with a different request."
    default_code = "idempotency_key_reused"


class KeyInProgress(APIException):
    status_code = 409
    default_detail = "A request with this Idempotency-Key is still being processed."
    default_code = "idempotency_key_in_progress"


def idempotent(handler: Callable) -> Callable:
    """Make a view's create handler answer a repeated ``Idempotency-Key`` once."""

    @wraps(handler)
    def once(view, request: Request, *args, **kwargs) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        return _run_once(request, key, lambda: handler(view, request, *args, **kwargs))

    once.idempotent = True  # type: ignore[attr-defined]  # read by portal.schema and the tests
    return once


def _run_once(request: Request, key: str, run: Callable[[], Response]) -> Response:
    if not _KEY.match(key):
        raise ValidationError({HEADER: [_("Up to 255 printable ASCII characters.")]})
    claim, earlier = _claim(request, key)
    if earlier is not None:
        return _answer_again(earlier, claim)
    try:
        response = run()
    except BaseException:
        claim.delete()  # refused or failed: nothing was made, the key is free
        raise
    if response.status_code >= 400:
        claim.delete()
    else:
        claim.status_code, claim.body = response.status_code, response.data
        claim.save(update_fields=["status_code", "body"])
    return response


def _claim(request: Request, key: str) -> tuple[IdempotencyKey, IdempotencyKey | None]:
    """This request's row for ``key``, or the earlier request's row that holds it."""
    user = request.user
    assert isinstance(user, User)  # the API's creates all require a signed-in user
    now = timezone.now()
    kept = timedelta(hours=settings.PORTAL_IDEMPOTENCY_HOURS)
    IdempotencyKey.objects.filter(user=user, created_at__lt=now - kept).delete()
    IdempotencyKey.objects.filter(
        user=user, key=key, status_code=None, created_at__lt=now - ABANDONED_AFTER
    ).delete()
    claim = IdempotencyKey(
        user=user,
        key=key,
        method=request.method or "POST",
        path=request.path[:500],
        fingerprint=fingerprint(request),
    )
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        return claim, IdempotencyKey.objects.get(user=user, key=key)
    return claim, None


def _answer_again(earlier: IdempotencyKey, claim: IdempotencyKey) -> Response:
    same = (earlier.method, earlier.path, earlier.fingerprint) == (
        claim.method,
        claim.path,
        claim.fingerprint,
    )
    if not same:
        raise KeyReused(_("This Idempotency-Key was sent with a different request."))
    if earlier.status_code is None:
        raise KeyInProgress(_("A request with this Idempotency-Key is still being processed."))
    return Response(
        earlier.body, status=earlier.status_code, headers={"Idempotent-Replayed": "true"}
    )


def fingerprint(request: Request) -> str:
    """The request's method, path and body, the body as parsed (a multipart boundary or the
    order of form fields does not make two uploads of the same file different)."""
    data = request.data
    if hasattr(data, "lists"):
        data = {name: list(values) for name, values in data.lists()}
    text = json.dumps([request.method, request.path, data], sort_keys=True, default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: object) -> str:
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return f"file:{value.name}:{digest.hexdigest()}"
    return str(value)
