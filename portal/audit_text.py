"""The audit trail in the reader's language: each event as a sentence ("Chen accepted the filing:
Fujian Rural Credit SME-LOANS 2025Q3") and each change as "field: before -> after".

The trail stores stable codes (``filing.accepted``, ``complaint_answered``) so that it never
changes meaning with a translation; this module is where the codes get words. A code with no
words here (a capability's new verb) is shown as the code, and ``tests/portal/test_audit_text.py``
fails until it has them."""

from dataclasses import dataclass

from django.db.models import Choices, Model
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

# What the actor did, as the end of a sentence that begins with their name.
VERBS: dict[str, Promise] = {
    # accounts
    "login": gettext_lazy("signed in"),
    "logout": gettext_lazy("signed out"),
    "login_failed": gettext_lazy("failed to sign in"),
    "second_factor_verified": gettext_lazy("passed the second sign-in step"),
    "second_factor_failed": gettext_lazy("failed the second sign-in step"),
    "totp_enrolled": gettext_lazy("set up an authenticator app"),
    "security_officer_granted": gettext_lazy("made someone a security officer"),
    "security_officer_withdrawn": gettext_lazy("withdrew someone's security officer role"),
    "password_changed": gettext_lazy("changed their password"),
    "password_reset": gettext_lazy("reset their password"),
    "password_reset_requested": gettext_lazy("asked to reset their password"),
    "account_registered": gettext_lazy("registered an account"),
    "account_registration_renewed": gettext_lazy("registered again before confirming"),
    "registration_of_existing_account": gettext_lazy("tried to register an existing address"),
    "email_verified": gettext_lazy("confirmed their e-mail address"),
    "api_token_issued": gettext_lazy("obtained an API token"),
    "api_token_revoked": gettext_lazy("revoked an API token"),
    # returns
    "request.reopened": gettext_lazy("reopened a return for filing"),
    "request.reminded": gettext_lazy("sent a reminder for a return"),
    "filing.uploaded": gettext_lazy("uploaded a filing"),
    "filing.checked": gettext_lazy("checked a file without filing it"),
    "filing.validated": gettext_lazy("had a filing checked"),
    "filing.signed": gettext_lazy("signed and submitted a filing"),
    "filing.accepted": gettext_lazy("accepted a filing"),
    "filing.returned": gettext_lazy("sent a filing back"),
    "filing.failed": gettext_lazy("gave up checking a filing after repeated attempts"),
    # screening
    "screening.task_created": gettext_lazy("created a screening task"),
    "screening.delegated": gettext_lazy("delegated a screening task"),
    "screening.assigned": gettext_lazy("assigned enterprises to screen"),
    "screening.results_recorded": gettext_lazy("recorded screening results"),
    "screening.visit_recorded": gettext_lazy("recorded a visit to an enterprise"),
    # evaluation
    "evaluation.period_scoring": gettext_lazy("scored an evaluation period"),
    "evaluation.self_assessed": gettext_lazy("entered a self-assessment"),
    "evaluation.self_assessment_submitted": gettext_lazy("submitted a self-assessment"),
    "evaluation.review_started": gettext_lazy("started a review"),
    "evaluation.item_reviewed": gettext_lazy("reviewed an evaluation item"),
    "evaluation.adjusted": gettext_lazy("adjusted an evaluation item"),
    "evaluation.arrangement_set": gettext_lazy("set a differentiated arrangement"),
    "evaluation.confirmed": gettext_lazy("confirmed an evaluation"),
    "evaluation.reopened": gettext_lazy("reopened an evaluation"),
    "evaluation.notified": gettext_lazy("notified an evaluation result"),
    "evaluation.evidence_attached": gettext_lazy("attached evidence to an evaluation"),
    "evaluation.archived": gettext_lazy("archived an evaluation"),
    "evaluation.talk_recorded": gettext_lazy("put a supervisory talk on an evaluation"),
    "evaluation.plan_filed": gettext_lazy("filed a rectification plan"),
    "evaluation.plan_item_reported": gettext_lazy("reported a rectification item done"),
    "evaluation.plan_item_closed": gettext_lazy("closed a rectification item"),
    "evaluation.plan_item_sent_back": gettext_lazy("sent a rectification item back"),
    "evaluation.plan_closed": gettext_lazy("closed a rectification plan"),
    "evaluation.area_arrangement_set": gettext_lazy("set a differentiated arrangement for an area"),
    "evaluation.area_arrangement_removed": gettext_lazy(
        "removed a differentiated arrangement for an area"
    ),
    "evaluation.target_group_set": gettext_lazy("set a group's growth target"),
    "evaluation.target_group_removed": gettext_lazy("removed a group's growth target"),
    "sample.drawn": gettext_lazy("drew a data sample"),
    "sample.row_checked": gettext_lazy("checked a sampled row"),
    "figure.marked": gettext_lazy("marked a flagged figure"),
    # complaints
    "complaint_filed": gettext_lazy("filed a complaint"),
    "complaint_acknowledged": gettext_lazy("acknowledged a complaint"),
    "complaint_info_requested": gettext_lazy("asked for more information on a complaint"),
    "complaint_info_given": gettext_lazy("gave more information on a complaint"),
    "complaint_extended": gettext_lazy("extended a complaint's deadline"),
    "complaint_answered": gettext_lazy("answered a complaint"),
    "complaint_accepted": gettext_lazy("accepted the answer to a complaint"),
    "complaint_rejected": gettext_lazy("rejected the answer to a complaint"),
    "complaint_to_office": gettext_lazy("passed a complaint to the office"),
    "complaint_at_office": gettext_lazy("took a complaint onto the office's desk"),
    "complaint_mediating": gettext_lazy("began mediating a complaint"),
    "complaint_closed": gettext_lazy("closed a complaint"),
    "complaint_assessed": gettext_lazy("assessed whether a complaint is substantive"),
    "complaint_linked": gettext_lazy("linked a complaint to another"),
    "complaint_transferred": gettext_lazy("transferred a complaint"),
    "complaint_no_feedback": gettext_lazy("closed a complaint answered without feedback"),
    "complaint_rated": gettext_lazy("rated the handling of a complaint"),
    "complaint_referred": gettext_lazy("referred a complaint to an outside body"),
    "typical_case_written": gettext_lazy("wrote a typical case"),
    "typical_case_published": gettext_lazy("approved and published a typical case"),
    "typical_case_withdrawn": gettext_lazy("withdrew a typical case"),
    # escalation
    "escalation.raised": gettext_lazy("raised an escalation case"),
    "escalation.cause_joined": gettext_lazy("added a cause to an escalation case"),
    "escalation.climbed": gettext_lazy("moved an unacted case to the parent office"),
    "escalation.acknowledged": gettext_lazy("acknowledged an escalation case"),
    "escalation.talk": gettext_lazy("recorded a supervisory talk"),
    "escalation.inspection": gettext_lazy("recorded a follow-up inspection"),
    "escalation.notice_issued": gettext_lazy("issued a rectification notice"),
    "escalation.notice_answered": gettext_lazy("answered a rectification notice"),
    "escalation.notice_lapsed": gettext_lazy("let a rectification notice lapse"),
    "escalation.remedy_accepted": gettext_lazy("accepted a remedy"),
    "escalation.remedy_rejected": gettext_lazy("rejected a remedy"),
    "escalation.closed": gettext_lazy("closed an escalation case"),
    "escalation.rule_set": gettext_lazy("changed an escalation rule"),
    "escalation.rule_reset": gettext_lazy("reset an escalation rule"),
    # dashboards
    "dashboard.export_requested": gettext_lazy("requested a dashboard export"),
    # webhooks
    "webhook.registered": gettext_lazy("registered a webhook endpoint"),
    "webhook.removed": gettext_lazy("removed a webhook endpoint"),
    "webhook.resumed": gettext_lazy("resumed a paused webhook endpoint"),
    "webhook.paused": gettext_lazy("paused a webhook endpoint"),
    "webhook.secret_rotated": gettext_lazy("gave a webhook endpoint a new secret"),
}

# The names of the fields the services record changes of.
FIELDS: dict[str, Promise] = {
    "status": pgettext_lazy("audit field", "status"),
    "due_on": pgettext_lazy("audit field", "due date"),
    "deadline": pgettext_lazy("audit field", "deadline"),
    "substantive": pgettext_lazy("audit field", "substantive"),
    "note": pgettext_lazy("audit field", "note"),
    "reason": pgettext_lazy("audit field", "reason"),
    "comment": pgettext_lazy("audit field", "comment"),
    "grade": pgettext_lazy("audit field", "grade"),
    "period": pgettext_lazy("audit field", "period"),
    "office": pgettext_lazy("audit field", "office"),
    "state": pgettext_lazy("audit field", "state"),
    "finding": pgettext_lazy("audit field", "finding"),
    "link": pgettext_lazy("audit field", "link"),
    "file": pgettext_lazy("audit field", "file"),
    "username": pgettext_lazy("audit field", "user name"),
    "enterprises": pgettext_lazy("audit field", "enterprises"),
    "rule": pgettext_lazy("audit field", "rule"),
    "held_on": pgettext_lazy("audit field", "held on"),
    "action": pgettext_lazy("audit field", "action"),
    "item": pgettext_lazy("audit field", "item"),
    "kind": pgettext_lazy("audit field", "kind"),
    "token": pgettext_lazy("audit field", "token"),
    "expires": pgettext_lazy("audit field", "expires"),
    "reopen_count": pgettext_lazy("audit field", "times reopened"),
}


# The words of recorded values (a status's stored code), by the label of the model an event is
# about and the field: each capability names its choices in its receivers (``name_values``).
VALUES: dict[tuple[str, str], dict[str, str | Promise]] = {}


def name_values(model: type[Model], field: str, choices: type[Choices]) -> None:
    """Show ``field``'s recorded values of ``model``'s events by their ``choices`` labels."""
    VALUES[(model._meta.label, field)] = dict(choices.choices)


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None  # None: a value recorded without its former one
    after: str


def action(verb: str) -> str:
    return str(VERBS.get(verb, verb))


def sentence(actor: str, verb: str, target: str) -> str:
    who = actor or _("The portal")
    if target:
        return _("%(actor)s %(action)s: %(object)s") % {
            "actor": who,
            "action": action(verb),
            "object": target,
        }
    return _("%(actor)s %(action)s") % {"actor": who, "action": action(verb)}


def changes(recorded: dict | None, object_type: str = "") -> list[Change]:
    """Each recorded field: a pair [before, after] reads "before -> after"; a lone value is the
    value set. Values named for the event's model (``name_values``) read as their labels."""
    shown = []
    for key, value in (recorded or {}).items():
        name = str(FIELDS.get(key, key))
        words = VALUES.get((object_type, key), {})
        if isinstance(value, list) and len(value) == 2:
            shown.append(Change(name, _value(value[0], words), _value(value[1], words)))
        else:
            shown.append(Change(name, None, _value(value, words)))
    return shown


def _value(value, words: dict[str, str | Promise]) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return str(words.get(value, value)) if isinstance(value, str) else str(value)


def verb_choices(verbs) -> list[tuple[str, str]]:
    """The filter's choices: the verbs present, by their words in the reader's language."""
    return sorted(((verb, action(verb)) for verb in set(verbs)), key=lambda pair: pair[1])
