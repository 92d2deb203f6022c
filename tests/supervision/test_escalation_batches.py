"""Escalation in batches: raising and sweeping many cases takes the same number of queries as a
few, and a batch of many leaves exactly the cases, causes, history, audit events and
notifications that raising them one by one leaves."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import AuditEvent, Notification, OutboxMessage, Role
from supervision.escalation import batch_sql, climbing, raising
from supervision.escalation.models import Case, EscalationRule
from tests import factories as f

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def banks(matrix):
    """Two banks with branches under two counties, and people to tell at every level."""
    f.member(Role.REVIEWER, office=matrix.city1)
    f.member(Role.VIEWER, office=matrix.county_a)
    return [f.InstitutionFactory(name_zh=f"批量测试银行{n}", office=matrix.p1) for n in range(2)]


def _causes(matrix, banks, count: int) -> list:
    """``count`` causes: two for each branch (the second joins its case), and one for each bank
    itself, over counties A and B."""
    found = []
    for n in range(count):
        bank = banks[n % 2]
        branch = f.BranchFactory(
            institution=bank, office=matrix.county_a if n % 3 else matrix.county_b
        )
        found += [
            f.cause(bank, branch=branch),
            f.cause(bank, branch=branch, kind="misreported-data"),
        ]
    found += [f.cause(bank) for bank in banks]
    return found


def _queries(work) -> int:
    with CaptureQueriesContext(connection) as context:
        work()
    return len(context.captured_queries)


def test_raising_and_sweeping_take_as_many_queries_for_many_cases_as_for_few(
    matrix, banks, time_machine
):
    time_machine.move_to(START, tick=False)
    few, many = _causes(matrix, banks, 3), _causes(matrix, banks, 30)

    raised_few = _queries(lambda: raising.raise_all(few))
    raised_many = _queries(lambda: raising.raise_all(many))
    assert raised_many == raised_few

    # Overdue: the few first, then the many.
    Case.objects.filter(causes__key=few[0].key).update(deadline=START - timedelta(days=2))
    Case.objects.exclude(causes__key=few[0].key).update(deadline=START - timedelta(days=1))
    swept_few = _queries(lambda: climbing.climb(Case.objects.get(causes__key=few[0].key).pk, START))
    swept_many = _queries(lambda: climbing.climb_overdue(START))
    assert swept_many <= swept_few + 2  # the loop's last, empty batch
    assert Case.objects.filter(office=matrix.county_a).count() == 0


def _snapshot(banks) -> dict:
    """What raising left for ``banks``, each case named by its subject instead of its id."""
    cases = Case.objects.filter(institution__in=banks)
    names = {str(case.pk): f"{case.institution_id}/{case.branch_id}" for case in cases}

    def named(text: str, pk: str) -> str:
        """``text`` (a label, a link) about case ``pk`` with the id replaced by its name."""
        return text.replace(f"#{pk} ", f"#{names[pk]} ").replace(f"/{pk}/", f"/{names[pk]}/")

    return {
        "cases": sorted(
            (
                names[str(case.pk)],
                case.office_id,
                case.level,
                case.kind,
                case.deadline,
                (case.origin_office_id, case.status, case.escalations, case.opened_at),
                tuple(
                    case.causes.values_list(
                        "key",
                        "kind",
                        "summary",
                        "measure",
                        "evidence_url",
                        "occurred_on",
                        "details",
                        "requires_talk",
                        "joined_at",
                    )
                ),
                tuple(case.events.values_list("verb", "office_id", "to_office_id", "note")),
            )
            for case in cases
        ),
        "audit": sorted(
            (
                e.verb,
                names[e.object_id],
                named(e.object_label, e.object_id),
                str(e.changes),
                e.office_id,
                e.institution_id,
                e.actor_label,
            )
            for e in AuditEvent.objects.filter(object_type="supervision.Case", object_id__in=names)
        ),
        "notifications": sorted(
            (
                n.recipient_id,
                n.message,
                str({**n.params, "case": names[str(n.params["case"])]}),
                named(n.url, n.object_id),
                names[n.object_id],
                n.emailed_at,
            )
            for n in Notification.objects.filter(
                object_type="supervision.Case", object_id__in=names
            )
        ),
    }


def test_a_batch_leaves_what_raising_one_by_one_leaves(matrix, banks, settings, time_machine):
    time_machine.move_to(START, tick=False)
    found = _causes(matrix, banks, 12)

    settings.PORTAL_ESCALATION_BATCH = 1
    one_by_one = [raising.escalation_raise(cause) for cause in found]
    assert all(one_by_one)
    climbing.climb_overdue(START + timedelta(days=31))
    expected = _snapshot(banks)
    Case.objects.filter(institution__in=banks).delete()  # and their causes: raise them again

    settings.PORTAL_ESCALATION_BATCH = 1000
    outbox = OutboxMessage.objects.count()
    assert raising.raise_all(found) == len(found)
    assert OutboxMessage.objects.count() == outbox + 1  # one email task for the batch
    climbing.climb_overdue(START + timedelta(days=31))
    assert _snapshot(banks) == expected
    assert len(expected["notifications"]) > len(found)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based SQL is PostgreSQL's")
def test_the_set_based_batches_leave_what_the_orm_leaves(matrix, banks, monkeypatch, time_machine):
    # A province's own rule for the cases' kind: fewer days at its sub-bureaus, and only
    # reviewers and heads told (county A's viewer is not).
    EscalationRule.objects.create(
        office=matrix.p1,
        kind="low-grade",
        threshold=3,
        county_days=30,
        prefecture_days=4,
        province_days=10,
        general_days=10,
        notify_role=Role.REVIEWER,
    )
    time_machine.move_to(START, tick=False)
    found = _causes(matrix, banks, 12)
    with monkeypatch.context() as patched:
        patched.setattr(batch_sql, "supported", lambda: False)
        assert raising.raise_all(found) == len(found)
        assert climbing.climb_overdue(START + timedelta(days=31)) == 14
    expected = _snapshot(banks)
    Case.objects.filter(institution__in=banks).delete()  # and their causes: raise them again

    outbox = OutboxMessage.objects.count()
    assert raising.raise_all(found) == len(found)
    assert climbing.climb_overdue(START + timedelta(days=31)) == 14
    assert OutboxMessage.objects.count() == outbox + 2  # one email task for each batch
    assert _snapshot(banks) == expected
    climbed = [
        n for n in expected["notifications"] if n[1].startswith("Escalation case #%(case)s (")
    ]
    assert climbed and matrix.users["county_a"].pk not in {n[0] for n in climbed}
