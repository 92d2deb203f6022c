"""The banks' answers on the enterprises assigned to them: the SCREENING-RESULT workbook of an
assignment, answers typed into the portal and filed as that return, and taking in an accepted
filing's answers (``record_results``, run by a worker when the filing is accepted).
"""

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal import audit
from portal.models import Role, User
from portal.notifications import notify, office_staff
from reporting import filings
from reporting.models import Filing, FilingRow
from reporting.specs import get_spec
from supervision.screening.lists import INSERT_BATCH, reading_language, workbook_of
from supervision.screening.models import (
    Assignment,
    AssignmentEntry,
    Decision,
    Outcome,
    TaskEnterprise,
)
from supervision.screening.services import task_url

RESULT_SPEC = get_spec("SCREENING-RESULT")
BLANK_OUTCOME = {
    "decision": "",
    "decline_reason": "",
    "credit_amount": None,
    "loan_amount": None,
    "rate": None,
    "first_time": None,
    "contact_date": None,
}


def decline_reason_label(value: str) -> str:
    return (
        RESULT_SPEC.column("decline_reason").choice_label(value, reading_language())
        if value
        else ""
    )


def assignment_context(return_request) -> dict:
    """SCREENING-RESULT's rule parameters for a request: the credit codes the bank was given
    (and still holds) and the day they were pushed to it."""
    assignment = Assignment.objects.filter(request=return_request).first()
    if assignment is None:
        return {}
    codes = assignment.enterprises.values_list("credit_code", flat=True)
    return {"assigned": set(codes), "pushed_on": timezone.localdate(assignment.created_at)}


def results_workbook(assignment: Assignment) -> bytes:
    """The SCREENING-RESULT template with the credit codes of the assignment's enterprises
    filled in, for the bank to complete offline and upload."""
    codes = assignment.enterprises.order_by("credit_code").values_list("credit_code", flat=True)
    with workbook_of(RESULT_SPEC, [{"credit_code": code} for code in codes]) as path:
        return path.read_bytes()


def results_file(user: User, assignment: Assignment, rows: list[dict]) -> Filing:
    """A bank's answers typed into the portal for a handful of enterprises (rows keyed by
    SCREENING-RESULT's columns), filed as that return's workbook: validated, signed and
    accepted like an upload."""
    if not rows:
        raise ValidationError(_("Answer at least one enterprise."))
    assert assignment.request is not None, "given as it is created (assignment._assignment_for)"
    with workbook_of(RESULT_SPEC, rows) as path, path.open("rb") as handle:
        return filings.filing_upload(
            user, assignment.request, File(handle), name=f"{RESULT_SPEC.code}-{assignment.pk}.xlsx"
        )


def _bulk_set(model, rows: list, fields: list[str]) -> None:
    """``bulk_update``, as one UPDATE from arrays on PostgreSQL: Django's CASE per row takes
    minutes for the tens of thousands of answers a large bank files at once."""
    if connection.vendor != "postgresql":
        model.objects.bulk_update(rows, fields, batch_size=1000)
        return
    if not rows:
        return
    columns = [model._meta.get_field(name) for name in fields]
    names = ["id", *(c.column for c in columns)]
    types = ["bigint", *(c.db_type(connection) for c in columns)]
    arrays = [[row.pk for row in rows], *([getattr(r, c.attname) for r in rows] for c in columns)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {model._meta.db_table} AS t SET "
            f"{', '.join(f'{n} = v.{n}' for n in names[1:])} "
            f"FROM unnest({', '.join(f'%s::{t}[]' for t in types)}) AS v({', '.join(names)}) "
            "WHERE t.id = v.id",
            arrays,
        )


def record_results(filing_id: int) -> int:
    """Take in an accepted SCREENING-RESULT filing: each entry of its assignment gets the bank's
    answer (blank when the filing leaves it out), and so does each enterprise the assignment
    still holds. Safe to run twice; returns the rows taken in."""
    filing = Filing.objects.filter(
        pk=filing_id, is_current=True, spec_code=RESULT_SPEC.code
    ).first()
    if filing is None:
        return 0
    assignment = Assignment.objects.filter(request_id=filing.request_id).first()
    if assignment is None:
        return 0
    spec = get_spec(filing.spec_code, filing.spec_version)
    with transaction.atomic(durable=True):
        Assignment.objects.select_for_update().get(pk=assignment.pk)
        entries = {
            code: (pk, enterprise_id, current == assignment.pk)
            for code, pk, enterprise_id, current in assignment.entries.values_list(
                "enterprise__credit_code", "pk", "enterprise_id", "enterprise__assignment_id"
            )
        }
        assignment.entries.update(filing=None, **BLANK_OUTCOME)
        TaskEnterprise.objects.filter(assignment=assignment).update(**BLANK_OUTCOME)
        answered, current = [], []
        for row in FilingRow.objects.filter(filing=filing).iterator(chunk_size=INSERT_BATCH):
            values = row.values(spec)
            found = entries.get(values["credit_code"])
            if found is None:
                continue
            outcome = {
                name: BLANK_OUTCOME[name] if values[name] is None else values[name]
                for name in Outcome.OUTCOME_FIELDS
            }
            entry_pk, enterprise_pk, is_current = found
            answered.append(AssignmentEntry(pk=entry_pk, filing=filing, **outcome))
            if is_current:
                current.append(TaskEnterprise(pk=enterprise_pk, **outcome))
        fields = list(Outcome.OUTCOME_FIELDS)
        _bulk_set(AssignmentEntry, answered, [*fields, "filing"])
        _bulk_set(TaskEnterprise, current, fields)
        audit.record(
            None,
            "screening.results_recorded",
            assignment,
            {"filing": filing.pk, "rows": len(answered)},
        )
        declined = sum(1 for e in current if e.decision == Decision.DECLINED)
        if declined:
            notify(
                office_staff(assignment.office, Role.REVIEWER),
                message=gettext_noop(
                    "Screening task %(task)s: %(bank)s declined %(count)s enterprises; "
                    "assign them again"
                ),
                params={
                    "task": assignment.task.title,
                    "bank": assignment.filer_name,
                    "count": declined,
                },
                url=task_url(assignment.task),
                target=assignment.task,
            )
    return len(answered)
