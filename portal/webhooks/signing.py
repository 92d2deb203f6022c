"""How a delivery is signed, and how a receiver checks it (the README gives the same in a few
lines of Python for receivers that do not run this code).

The ``Portal-Signature`` header is ``t=<unix seconds>,v1=<hex>``: the HMAC-SHA256, keyed with
the endpoint's secret, of ``"<t>." + body``, as Stripe signs its events. The timestamp is
inside the signature, so a delivery captured and sent again later is refused once it is older
than the receiver's tolerance; within it, the repeated ``Portal-Event-Id`` tells a replay.
"""

import hashlib
import hmac
import time

HEADER = "Portal-Signature"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(
    secret: str,
    header: str,
    body: bytes,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` and is at most ``tolerance`` seconds
    old (or ahead)."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return hmac.compare_digest(expected, f"t={timestamp},v1={parts.get('v1', '')}")
