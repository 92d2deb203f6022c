"""Screening's scoping rules, its rule parameters for SCREENING-RESULT and its receiver of
accepted filings."""

from django.db.models import Q

from portal import scoping, worklist
from portal.outbox import send_on_commit
from reporting import pipeline
from reporting.models import Filing
from reporting.signals import filing_accepted
from supervision.screening import deadlines as screening_deadlines
from supervision.screening import first_contact  # noqa: F401  (registers its cause provider)
from supervision.screening import results as screening_results
from supervision.screening.models import (
    Assignment,
    AssignmentEntry,
    Delegation,
    ScreeningJob,
    ScreeningTask,
    TaskEnterprise,
)


def _tasks_where(lookup: str, rule):
    """Tasks with a share (delegation) or an assignment matching ``rule`` through ``lookup``."""

    def task_rule(values) -> Q:
        model = Delegation if lookup == "delegations" else Assignment
        return Q(pk__in=model.objects.filter(rule(values)).values("task_id"))

    return task_rule


# An office sees the tasks it or an office under it holds a share of; a bank the tasks it was
# given enterprises of.
scoping.register(
    ScreeningTask,
    office=_tasks_where("delegations", scoping.under("office_path")),
    institution=_tasks_where("assignments", scoping.among("institution_id")),
    branch=_tasks_where("assignments", scoping.among("branch_id")),
)
scoping.register(Delegation, office=scoping.under("office_path"))
scoping.register(ScreeningJob, office=scoping.under("office__path"))
scoping.register(
    Assignment,
    office=scoping.under("office_path"),
    institution=scoping.among("institution_id"),
    branch=scoping.among("branch_id"),
)
# An enterprise is seen by the offices above the one holding it and by the bank it was last
# given to; one asked before sees its own entry in the history.
scoping.register(
    TaskEnterprise,
    office=scoping.under("holder_path"),
    institution=scoping.among("assignment__institution_id"),
    branch=scoping.among("assignment__branch_id"),
)
scoping.register(
    AssignmentEntry,
    office=scoping.under("enterprise__holder_path", "assignment__office_path"),
    institution=scoping.among("assignment__institution_id"),
    branch=scoping.among("assignment__branch_id"),
)

pipeline.provide_context(screening_results.RESULT_SPEC.code)(screening_results.assignment_context)


def _results_accepted(sender, filing: Filing, **kwargs) -> None:
    if filing.spec_code == screening_results.RESULT_SPEC.code:
        from supervision.screening.tasks import record_screening_results

        send_on_commit(record_screening_results, filing.pk)


filing_accepted.connect(_results_accepted, dispatch_uid="screening-results-accepted")

worklist.register("screening", screening_deadlines.waiting)

# The visits' own rules (a sub-folder of screening, with its own models).
from supervision.screening.visits import receivers as visits  # noqa: E402, F401
