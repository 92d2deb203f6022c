"""Escalation's batches as set-based SQL on PostgreSQL: a batch's history, audit events and
notifications are written by INSERT ... SELECT, one statement per batch, from the cases the
batch moved (a climb's UPDATE ... RETURNING) or the causes it raised, joined in the database
to the names and the offices' people. Python only resolves the rule of each (cause, office)
pair the batch holds, so that the rules stay in one place (``RuleBook``), and builds no row.

Both leave what ``climbing``'s and ``raising``'s ORM paths (the ones SQLite runs) leave: the
same history rows, audit verbs, labels and changes, and one notification per distinct active
person of the office(s) holding the rule's role or a higher one."""

import json
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from portal import audit
from portal.models import (
    AuditEvent,
    Branch,
    Institution,
    Membership,
    Notification,
    Office,
    Role,
    User,
)
from portal.outbox import send_on_commit
from portal.tasks import send_notification_emails
from supervision.causes import Cause
from supervision.escalation.models import Case, CaseCause, CaseEvent, EventVerb
from supervision.escalation.rules import RuleBook

CLIMBED = gettext_noop(
    "Escalation case #%(case)s (%(subject)s) was not acted on by %(below)s by its "
    "deadline and moved to %(above)s"
)
JOINED = gettext_noop("A further cause joined escalation case #%(case)s (%(subject)s)")
RAISED = gettext_noop("Escalation case #%(case)s: %(subject)s needs action by %(deadline)s")

# A case id no case has, to split the case page's URL around the id.
_SENTINEL = 918273645546372819

# What both statements share: the role ladder, and each case's subject in the portal's own
# language (the audit label) and in Chinese (the notifications' parameter).
_LADDER = "ladder(wanted, held) AS (SELECT * FROM unnest(%(wanted)s::text[], %(held)s::text[]))"
_SUBJECT = """COALESCE(b.name_zh, i.name_zh) AS subject_zh,
           CASE WHEN b.id IS NULL THEN i.name_en ELSE b.name_en END AS subject_en"""
_LABEL = """left('#' || n.id || ' ' || CASE WHEN %(english)s AND n.subject_en <> ''
                                          THEN n.subject_en ELSE n.subject_zh END, 300)"""
_AUDIT_COLUMNS = """(at, actor_id, actor_label, verb, object_type, object_id, object_label,
                     changes, address, office_id, institution_id)"""
_NOTE_COLUMNS = """(recipient_id, message, params, url, object_type, object_id, created_at,
                    read_at, emailed_at)"""
# The people of an office (``{office}``, a column of ``n``) who hold the wanted role or above.
_STAFF = """JOIN {membership} s ON s.office_id = {office}
    JOIN ladder l ON l.wanted = n.notify_role AND l.held = s.role
    JOIN {user} u ON u.id = s.user_id AND u.is_active"""

_CLIMB = f"""
WITH {_LADDER},
-- Each move of the batch (a few hundred, whatever the number of cases) with the people of both
-- offices to tell, found once for the move rather than once per case.
moves AS MATERIALIZED (
    SELECT g.*, ARRAY(
        SELECT DISTINCT s.user_id FROM {{membership}} s
        JOIN ladder l ON l.wanted = g.notify_role AND l.held = s.role
        JOIN {{user}} u ON u.id = s.user_id AND u.is_active
        WHERE s.office_id IN (g.below_id, g.above_id)
    ) AS told
    FROM unnest(%(kinds)s::text[], %(belows)s::bigint[], %(aboves)s::bigint[],
                %(levels)s::smallint[], %(deadlines)s::timestamptz[], %(roles)s::text[])
         AS g(kind, below_id, above_id, level, deadline, notify_role)
),
moved AS (
    UPDATE {{case}} c SET office_id = m.above_id, level = m.level, deadline = m.deadline,
           escalations = c.escalations + 1
    FROM moves m
    WHERE c.id = ANY(%(ids)s::bigint[]) AND c.kind = m.kind AND c.office_id = m.below_id
    RETURNING c.id, c.institution_id, c.branch_id, m.below_id, m.above_id, m.told
),
named AS (
    SELECT m.*, {_SUBJECT}, lo.name_zh AS below_name, lo.code AS below_code,
           hi.name_zh AS above_name, hi.code AS above_code
    FROM moved m
    JOIN {{institution}} i ON i.id = m.institution_id
    LEFT JOIN {{branch}} b ON b.id = m.branch_id
    JOIN {{office}} lo ON lo.id = m.below_id
    JOIN {{office}} hi ON hi.id = m.above_id
),
events AS (
    INSERT INTO {{event}} (case_id, at, verb, actor_id, office_id, to_office_id, note)
    SELECT id, %(now)s, %(verb)s, NULL, below_id, above_id, '' FROM named ORDER BY id
),
audited AS (
    INSERT INTO {{audit}} {_AUDIT_COLUMNS}
    SELECT %(at)s, NULL, 'system', 'escalation.climbed', %(label)s, n.id::text, {_LABEL},
           jsonb_build_object('office', jsonb_build_array(n.below_code, n.above_code)),
           %(address)s::inet, n.above_id, n.institution_id
    FROM named n ORDER BY n.id
),
notes AS (
    INSERT INTO {{notification}} {_NOTE_COLUMNS}
    SELECT t.user_id, %(message)s,
           jsonb_build_object('case', n.id, 'subject', n.subject_zh, 'below', n.below_name,
                              'above', n.above_name),
           %(url_head)s || n.id || %(url_tail)s, %(label)s, n.id::text, %(at)s, NULL, NULL
    FROM named n CROSS JOIN LATERAL unnest(n.told) AS t(user_id)
    ORDER BY n.id, t.user_id
    RETURNING id
)
SELECT id FROM notes
"""

_RAISE = f"""
WITH raised AS (
    SELECT * FROM jsonb_to_recordset(%(raised)s::jsonb) AS r(
        ord integer, case_id bigint, joined boolean, cause_key text, kind text, measure text,
        note text, notify_role text, evidence_url text, occurred_on date, details jsonb,
        requires_talk boolean)
),
{_LADDER},
causes AS (
    INSERT INTO {{cause}} (case_id, kind, key, measure, summary, evidence_url, occurred_on,
                           details, requires_talk, joined_at)
    SELECT case_id, kind, cause_key, measure::numeric, left(note, 300), evidence_url,
           occurred_on, details, requires_talk, %(now)s
    FROM raised ORDER BY ord
),
named AS (
    SELECT r.*, c.id, c.office_id, c.institution_id, c.deadline, {_SUBJECT}
    FROM raised r
    JOIN {{case}} c ON c.id = r.case_id
    JOIN {{institution}} i ON i.id = c.institution_id
    LEFT JOIN {{branch}} b ON b.id = c.branch_id
),
events AS (
    INSERT INTO {{event}} (case_id, at, verb, actor_id, office_id, to_office_id, note)
    SELECT id, %(at)s, CASE WHEN joined THEN %(joined_verb)s ELSE %(raised_verb)s END, NULL,
           office_id, NULL, note
    FROM named ORDER BY ord
),
audited AS (
    INSERT INTO {{audit}} {_AUDIT_COLUMNS}
    SELECT %(at)s, NULL, 'system',
           CASE WHEN n.joined THEN 'escalation.cause_joined' ELSE 'escalation.raised' END,
           %(label)s, n.id::text, {_LABEL},
           jsonb_build_object('cause', n.cause_key, 'kind', n.kind, 'measure', n.measure),
           %(address)s::inet, n.office_id, n.institution_id
    FROM named n ORDER BY n.ord
),
notes AS (
    INSERT INTO {{notification}} {_NOTE_COLUMNS}
    SELECT DISTINCT ON (n.ord, s.user_id) s.user_id,
           CASE WHEN n.joined THEN %(joined_message)s ELSE %(raised_message)s END,
           jsonb_build_object('case', n.id, 'subject', n.subject_zh,
                              'deadline', to_char(n.deadline AT TIME ZONE %(zone)s, 'YYYY-MM-DD')),
           %(url_head)s || n.id || %(url_tail)s, %(label)s, n.id::text, %(at)s, NULL, NULL
    FROM named n {_STAFF.format(membership="{membership}", user="{user}", office="n.office_id")}
    ORDER BY n.ord, s.user_id
    RETURNING id
)
SELECT id FROM notes
"""

_CASES = """
INSERT INTO {case} (institution_id, branch_id, office_id, origin_office_id, level, kind, status,
                    deadline, escalations, opened_at, acknowledged_at, closed_at, closing_note)
SELECT institution_id, branch_id, office_id, origin_office_id, level, kind, status, deadline,
       escalations, opened_at, NULL, NULL, closing_note
FROM jsonb_to_recordset(%(cases)s::jsonb) AS r(
    ord integer, institution_id bigint, branch_id bigint, office_id bigint,
    origin_office_id bigint, level smallint, kind text, status text, deadline timestamptz,
    escalations smallint, opened_at timestamptz, closing_note text)
ORDER BY ord
RETURNING id
"""


def supported() -> bool:
    """Whether the database runs these statements (SQLite has no UPDATE or INSERT in a WITH)."""
    return connection.vendor == "postgresql"


def _tables(sql: str) -> str:
    """``sql`` with the tables' names, so that a renamed model fails loudly here."""
    return sql.format(
        case=Case._meta.db_table,
        cause=CaseCause._meta.db_table,
        institution=Institution._meta.db_table,
        branch=Branch._meta.db_table,
        office=Office._meta.db_table,
        event=CaseEvent._meta.db_table,
        audit=AuditEvent._meta.db_table,
        notification=Notification._meta.db_table,
        membership=Membership._meta.db_table,
        user=User._meta.db_table,
    )


def _shared() -> dict:
    """The parameters both statements take: the role ladder, the case page's URL around the
    id, the audit trail's language and the request's address."""
    ladder = [(wanted, held) for wanted in Role.regulator_roles() for held in Role.at_least(wanted)]
    url_head, url_tail = reverse("escalation-case", args=[_SENTINEL]).split(str(_SENTINEL))
    return {
        "wanted": [wanted for wanted, _held in ladder],
        "held": [held for _wanted, held in ladder],
        "url_head": url_head,
        "url_tail": url_tail,
        "at": timezone.now(),
        "label": Case._meta.label,
        "english": settings.LANGUAGE_CODE.startswith("en"),
        "address": audit.request_address.get(),
    }


def _ids(values: Sequence[int]) -> str:
    """An array literal of ids: psycopg dumps a list of a thousand ints slowly."""
    return "{" + ",".join(str(int(value)) for value in values) + "}"


def _run(sql: str, params: dict) -> None:
    """Run one batch's statement and email its notifications in one task on commit."""
    with connection.cursor() as cursor:
        cursor.execute(_tables(sql), {**_shared(), **params})
        notes = sorted(pk for (pk,) in cursor.fetchall())
    if notes:
        send_on_commit(send_notification_emails, notes)


_MOVE_COLUMNS = ("kinds", "belows", "aboves", "levels", "deadlines", "roles")


def climb(locked: list[tuple[int, str, int]], now: datetime, book: RuleBook) -> None:
    """Move the cases of ``locked`` (id, kind, office id; locked by the caller's transaction,
    each at an office with a parent) to their parent offices, with their history, audit
    events and notifications, in one statement."""
    moves = _moves({(kind, office_id) for _pk, kind, office_id in locked}, now, book)
    _run(
        _CLIMB,
        {
            "ids": _ids([pk for pk, _kind, _office in locked]),
            **dict(zip(_MOVE_COLUMNS, moves, strict=True)),
            "now": now,
            "verb": EventVerb.CLIMBED.value,
            "message": CLIMBED,
        },
    )


def _moves(pairs: set[tuple[str, int]], now: datetime, book: RuleBook) -> tuple[list, ...]:
    """For each (kind, office id) of the batch: the parent office, its level, the new deadline
    and the role to notify, as the columns ``_CLIMB`` unnests."""
    step = Office.steplen
    belows = Office.objects.in_bulk({office_id for _kind, office_id in pairs})
    parents = {
        office.path: office
        for office in Office.objects.filter(path__in={o.path[:-step] for o in belows.values()})
    }
    columns: tuple[list, ...] = ([], [], [], [], [], [])
    for kind, office_id in sorted(pairs):
        above = parents[belows[office_id].path[:-step]]
        rule = book.rule(kind, above)
        assert rule is not None, "every kind has a national default (seeded after migrate)"
        row = (kind, office_id, above.pk, above.level, now + rule.time_to_act(above.level))
        for column, value in zip(columns, (*row, rule.notify_role), strict=True):
            column.append(value)
    return columns


def insert_cases(cases: list[Case]) -> None:
    """Write new cases in one INSERT from a JSON document, giving each its id (what
    ``bulk_create`` does, without its per-field preparation of every row)."""
    if not cases:
        return
    rows = [
        {
            "ord": n,
            "institution_id": case.institution_id,
            "branch_id": case.branch_id,
            "office_id": case.office_id,
            "origin_office_id": case.origin_office_id,
            "level": case.level,
            "kind": case.kind,
            "status": case.status,
            "deadline": case.deadline.isoformat(),
            "escalations": case.escalations,
            "opened_at": case.opened_at.isoformat(),
            "closing_note": case.closing_note,
        }
        for n, case in enumerate(cases)
    ]
    with connection.cursor() as cursor:
        cursor.execute(_tables(_CASES), {"cases": json.dumps(rows)})
        ids = [pk for (pk,) in cursor.fetchall()]
    for case, pk in zip(cases, ids, strict=True):
        case.pk = pk
        case._state.adding, case._state.db = False, connection.alias


def record_raised(raised: list[tuple[Cause, str, Case, bool]], now: datetime) -> None:
    """The causes, history, audit events and notifications of a batch of raised or joined
    causes (each with the role its rule tells, and its case, already written), in one
    statement from a JSON document of the causes."""
    rows = [
        {
            "ord": n,
            "case_id": case.pk,
            "joined": joined,
            "cause_key": cause.key,
            "kind": cause.kind,
            # The audit trail's measure is the cause's as given; the column rounds it.
            "measure": str(cause.measure),
            "note": cause.summary,
            "notify_role": role,
            "evidence_url": cause.evidence_url,
            "occurred_on": cause.occurred_on.isoformat(),
            "details": cause.details,
            "requires_talk": cause.requires_talk,
        }
        for n, (cause, role, case, joined) in enumerate(raised)
    ]
    _run(
        _RAISE,
        {
            "raised": json.dumps(rows),
            "now": now,
            "joined_verb": EventVerb.JOINED.value,
            "raised_verb": EventVerb.RAISED.value,
            "joined_message": JOINED,
            "raised_message": RAISED,
            "zone": timezone.get_current_timezone_name(),
        },
    )
