"""Against floods of complaints: an hourly limit per account and per address, and a small
arithmetic question signed by the server (no third-party service, nothing stored until it
is answered). A refused submission is shown back with everything typed, so nothing a
legitimate owner wrote is lost; other owners' submissions are never held up by one flood.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

CHALLENGE_SALT = "supervision.complaints.challenge"
CHALLENGE_SECONDS = 3600
WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class Challenge:
    a: int
    b: int
    token: str

    @property
    def question(self) -> str:
        return _("What is %(a)d plus %(b)d?") % {"a": self.a, "b": self.b}


def new_challenge() -> Challenge:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = signing.dumps({"a": a, "b": b, "n": secrets.token_hex(8)}, salt=CHALLENGE_SALT)
    return Challenge(a, b, token)


def challenge_of(token: str) -> Challenge | None:
    """The question a token asks, if the token is ours and fresh."""
    try:
        data = signing.loads(token, salt=CHALLENGE_SALT, max_age=CHALLENGE_SECONDS)
    except signing.BadSignature:
        return None
    return Challenge(data["a"], data["b"], token)


def check_challenge(token: str, answer: str) -> str:
    """An error message, or '' when the answer is right; each question is answered once."""
    challenge = challenge_of(token or "")
    if challenge is None:
        return _("The question has expired; please answer the new one.")
    if (answer or "").strip() != str(challenge.a + challenge.b):
        return _("The answer to the question is not right; please try the new one.")
    nonce = signing.loads(token, salt=CHALLENGE_SALT)["n"]
    if not cache.add(f"complaint-challenge:{nonce}", 1, CHALLENGE_SECONDS):
        return _("This question was already used; please answer the new one.")
    return ""


def _counters(who: str, address: str | None) -> list[tuple[str, int]]:
    """(cache key, hourly limit) for the sender (``user:<id>`` or ``email:<address>``) and, if
    known, the address. An address gets more: owners in one industrial park or office building
    may share it."""
    hour = int(timezone.now().timestamp()) // WINDOW_SECONDS
    counters = [(f"complaint-rate:{who}:{hour}", settings.PORTAL_COMPLAINT_HOURLY_LIMIT)]
    if address:
        counters.append(
            (
                f"complaint-rate:addr:{address}:{hour}",
                settings.PORTAL_COMPLAINT_HOURLY_LIMIT_PER_ADDRESS,
            )
        )
    return counters


def over_limit(who: str, address: str | None) -> bool:
    """Whether this sender or address has used its hourly allowance already."""
    return any((cache.get(key) or 0) >= limit for key, limit in _counters(who, address))


def count_filing(who: str, address: str | None) -> None:
    for key, _limit in _counters(who, address):
        if not cache.add(key, 1, WINDOW_SECONDS):
            cache.incr(key)
