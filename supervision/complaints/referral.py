"""Referral outside the tree: an office sends a complaint it is not competent for to a body
on the maintained list (the central bank's branch, a local government department), with a
letter in Chinese and in English. The owner is told where it went, and the complaint closes as
referred with the referral kept (the 12378 hotline's and CFPB's practice).
"""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal import audit
from portal.models import User
from supervision.complaints.clock import local_day
from supervision.complaints.models import Complaint, EventKind, Referral, ReferralBody
from supervision.complaints.services import (
    S,
    bank_staff,
    can_supervise,
    lock_complaint,
    record_step,
    require,
    required_text,
    tell,
)

BODIES_FILE = Path(__file__).parent / "data" / "referral_bodies.json"


def load_bodies(path: Path = BODIES_FILE) -> tuple[int, int]:
    """Create or update the list's bodies from ``path``; returns (created, updated). A body
    dropped from the file is kept (referrals point to it) but takes no new referrals."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    created = updated = 0
    # Not durable: it runs from post_migrate, inside the test runner's transactions too.
    with transaction.atomic():
        for row in rows:
            fields = {k: row.get(k, "") for k in ("kind", "name_zh", "name_en", "division_code")}
            fields |= {"address": row.get("address", ""), "phone": row.get("phone", "")}
            _body, made = ReferralBody.objects.update_or_create(
                code=row["code"], defaults={**fields, "is_active": True}
            )
            created += made
            updated += not made
        ReferralBody.objects.exclude(code__in=[r["code"] for r in rows]).update(is_active=False)
    return created, updated


def letters(complaint: Complaint, body: ReferralBody, reason: str) -> tuple[str, str]:
    """The referral letter in Chinese and in English, each rendered in its own language."""
    context = {"c": complaint, "body": body, "reason": reason, "today": local_day()}
    texts = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            name = "zh" if language == "zh-hans" else "en"
            texts.append(
                render_to_string(f"supervision/complaints/referral_letter_{name}.txt", context)
            )
    return texts[0], texts[1]


@transaction.atomic(durable=True)
def refer(actor: User, complaint: Complaint, body: ReferralBody, reason: str) -> Referral:
    """Send the complaint to ``body`` and close it as referred."""
    require(can_supervise(actor, complaint))
    reason = required_text(reason, _("the reason for the referral"))
    if not body.is_active:
        raise ValidationError(_("This body no longer takes referrals."))
    c = lock_complaint(
        complaint,
        [s for s in S.values if s not in S.finished()],
        _("A finished complaint cannot be referred."),
    )
    old = c.status
    letter_zh, letter_en = letters(c, body, reason)
    made = Referral.objects.create(
        complaint=c,
        body=body,
        reason=reason,
        letter_zh=letter_zh,
        letter_en=letter_en,
        referred_by=actor,
    )
    c.status, c.closed_at, c.desk_due_on = S.REFERRED, timezone.now(), None
    c.save(update_fields=["status", "closed_at", "desk_due_on"])
    record_step(
        c, EventKind.REFERRED, actor, reason, to_zh=body.name_zh, to_en=body.name_en, body=body.code
    )
    audit.record(
        actor, "complaint_referred", c, {"status": [old, c.status], "body": [None, body.code]}
    )
    tell(
        [c.owner],
        gettext_noop(
            "Your complaint %(reference)s was referred to %(body)s, which is competent for it; "
            "contact: %(contact)s"
        ),
        c,
        body=f"{body.name_zh} / {body.name_en}",
        contact=" ".join(filter(None, [body.address, body.phone])) or "-",
    )
    tell(
        bank_staff(c), gettext_noop("Complaint %(reference)s was referred outside the regulator"), c
    )
    return made
