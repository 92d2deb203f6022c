"""The evaluation's scoping rules, its receivers of reporting's ``filing_accepted`` and of the
talks escalation records (``causes.talk_recorded``), and its sources of the worklist."""

import logging

from django.dispatch import receiver

from portal import scoping, worklist
from portal.audit_text import name_values
from portal.outbox import send_on_commit
from reporting.periods import is_quarter, quarter_label
from reporting.signals import filing_accepted
from supervision import causes
from supervision.evaluation import cycle as evaluation_cycle

# Imported for the cause it provides (misreported data), which registers itself with ``causes``;
# the cycle above provides low grades.
from supervision.evaluation import rectification, sampling  # noqa: F401
from supervision.evaluation.models import (
    AreaArrangement,
    Arrangement,
    DataSample,
    Evaluation,
    EvaluationStatus,
    Evidence,
    MonitoringScore,
    PointAdjustment,
    QualitativeScore,
    SampledRow,
    ScoreRecord,
    ScoringRun,
    TargetGroup,
)
from supervision.evaluation.rectification_models import (
    PlanEvidence,
    PlanItem,
    RectificationPlan,
    SupervisoryTalk,
)

logger = logging.getLogger(__name__)

# An evaluation is the legal entity's: its supervising office and the offices above see it;
# the bank's head-office officers see their own (the pages show scores once notified).
# Branch officers and the offices of branches see none.
name_values(Evaluation, "status", EvaluationStatus)  # the audit trail's words for a status
scoping.register(
    Evaluation,
    office=scoping.under("institution__office__path"),
    institution=scoping.among("institution_id"),
)
# What hangs on one evaluation, the grade's talk and the bank's rectification plan included:
# the bank's and its supervising offices'.
for _model in (QualitativeScore, Evidence, SupervisoryTalk, RectificationPlan):
    scoping.register(
        _model,
        office=scoping.under("evaluation__institution__office__path"),
        institution=scoping.among("evaluation__institution_id"),
    )
scoping.register(
    PlanItem,
    office=scoping.under("plan__evaluation__institution__office__path"),
    institution=scoping.among("plan__evaluation__institution_id"),
)
scoping.register(
    PlanEvidence,
    office=scoping.under("item__plan__evaluation__institution__office__path"),
    institution=scoping.among("item__plan__evaluation__institution_id"),
)
# What the office worked with stays with the office.
scoping.register(AreaArrangement, office=scoping.under("office__path"))
scoping.register(TargetGroup, office=scoping.under("office__path"))
scoping.register(ScoreRecord, office=scoping.under("evaluation__institution__office__path"))
scoping.register(PointAdjustment, office=scoping.under("evaluation__institution__office__path"))
scoping.register(Arrangement, office=scoping.under("institution__office__path"))
scoping.register(ScoringRun, office=scoping.under("office__path"))
# Monitoring is the office's early warning, not a result the bank is told.
scoping.register(MonitoringScore, office=scoping.under("institution__office__path"))
# A sample is the office's; each bank (or branch) sees the rows drawn from its own filings.
scoping.register(DataSample, office=scoping.under("office__path"))
scoping.register(
    SampledRow,
    office=scoping.under("sample__office__path"),
    institution=scoping.among("institution_id"),
    branch=scoping.among("branch_id"),
)


@receiver(filing_accepted, dispatch_uid="evaluation-score-on-acceptance")
def score_on_acceptance(sender, filing, **kwargs) -> None:
    """An accepted quarterly return changes its filer's figures: its monitoring score for the
    quarter, and for a Q4 the year's evaluation (``services.score_filed``). An accepted yearly
    return (the bank's SME credit plan) changes the year's evaluation, scored with its Q4."""
    from supervision.evaluation.tasks import score_institution

    if is_quarter(filing.period):
        send_on_commit(score_institution, filing.institution_id, filing.period)
    elif filing.period.isdigit():
        quarter = quarter_label(int(filing.period), 4)
        send_on_commit(score_institution, filing.institution_id, quarter)


@receiver(causes.talk_recorded, dispatch_uid="evaluation-talk-recorded")
def talk_recorded(sender, keys, case_id, held_on, principal_officer, **kwargs) -> None:
    """A talk escalation recorded on a case a low grade raised goes on that result."""
    # Sent after escalation's commit: a failure here must not fail the case's page.
    prefix = rectification.KEY_PREFIX
    ids = [int(key.removeprefix(prefix)) for key in keys if key.startswith(prefix)]
    for evaluation in Evaluation.objects.filter(pk__in=ids).select_related("institution"):
        try:
            rectification.talk_record(evaluation, case_id, held_on, principal_officer)
        except Exception:
            logger.exception("evaluation: could not record the talk of case %s", case_id)


worklist.register("evaluation", evaluation_cycle.waiting)
worklist.register("evaluation-rectification", rectification.waiting)
