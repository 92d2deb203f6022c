"""Demo screening: the Fuzhou sub-bureau's task in progress (delegated to its three counties;
Gulou assigned in round robin, ICBC Gulou's answers filed, signed and accepted, its declined
enterprise assigned again; Minhou assigned and waiting; Fuqing not yet assigned), and a
Quanzhou task whose assignments are overdue; and field visits recorded from the visit app: ICBC
Gulou's officer to three of its enterprises (a pending one granted a loan, next steps due soon
and overdue) and Jinjiang's task force to an enterprise it could not reach. Made through the
services, like real work: each commits on its own (their transactions are durable, which no
demo may wrap)."""

import tempfile
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from portal.models import Membership, Office, User
from reporting import filings, pipeline, synthetic
from reporting.models import ReturnRequest
from supervision.screening import assignment as screening_assignment
from supervision.screening import lists as screening_lists
from supervision.screening import results as screening_results
from supervision.screening import services as screening
from supervision.screening.models import (
    Assignment,
    AssignmentEntry,
    Decision,
    ScreeningTask,
    TaskEnterprise,
)
from supervision.screening.visits import services as visits
from supervision.screening.visits.models import Visit

FUZHOU_TASK = "2025年福州市小微企业融资需求走访（外贸、民营）"
QUANZHOU_TASK = "2025年泉州市科技型企业走访"


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _list(rows: int, counties: tuple[str, ...], seed: int):
    frame = synthetic.synthetic_frame(screening_lists.LIST_SPEC, rows, seed=seed, counties=counties)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "list.xlsx"
        synthetic.write_return(screening_lists.LIST_SPEC, frame, path)
        return screening_lists.read_list(path)


def _answers(assignment: Assignment) -> list[dict]:
    """A granted, a declined, a pending enterprise; the rest had no need."""
    today = timezone.localdate().isoformat()
    decisions = [Decision.GRANTED, Decision.DECLINED, Decision.PENDING]
    rows = []
    for n, code in enumerate(
        assignment.enterprises.order_by("credit_code").values_list("credit_code", flat=True)
    ):
        decision = decisions[n] if n < len(decisions) else Decision.NO_NEED
        row: dict[str, object] = {"credit_code": code, "contact_date": today, "decision": decision}
        if decision == Decision.GRANTED:
            row |= {"credit_amount": 300, "loan_amount": 200, "loan_date": today, "rate": 3.45}
            row |= {"credit_loan": "Y", "first_time": "Y"}
        if decision == Decision.DECLINED:
            row["decline_reason"] = "over_indebted"
        rows.append(row)
    return rows


def _fuzhou() -> None:
    reviewer = _user("fz.reviewer@demo.portal")
    fuzhou, gulou = Office.objects.get(code="350100"), Office.objects.get(code="350102")
    task = screening.task_create(
        reviewer,
        fuzhou,
        title=FUZHOU_TASK,
        purpose="落实小微企业融资协调工作机制，摸排外贸、民营企业融资需求并推送银行对接。",
        key_areas=["foreign_trade", "private"],
        deadline=timezone.localdate() + timedelta(days=21),
        enterprises=_list(60, ("350102", "350121", "350181"), seed=7),
    )
    screening.delegate_by_county(reviewer, task, fuzhou)
    screening_assignment.auto_assign(reviewer, task, gulou)
    screening_assignment.auto_assign(reviewer, task, Office.objects.get(code="350121"))
    member = Membership.objects.select_related("branch").get(
        user__email="icbc.gulou.preparer@demo.portal"
    )
    icbc = Assignment.objects.get(task=task, branch=member.branch)
    filing = screening_results.results_file(member.user, icbc, _answers(icbc))
    pipeline.run(filing.pk)
    filing.refresh_from_db()
    filings.filing_sign(_user("icbc.gulou.approver@demo.portal"), filing, {})
    filings.filing_accept(reviewer, filing, "对接结果已核实")
    screening_results.record_results(filing.pk)
    screening_assignment.reassign_declined(reviewer, task, gulou)


def _quanzhou() -> None:
    reviewer = _user("fj.reviewer@demo.portal")
    quanzhou = Office.objects.get(code="350500")
    task = screening.task_create(
        reviewer,
        quanzhou,
        title=QUANZHOU_TASK,
        key_areas=["technology", "manufacturing"],
        deadline=timezone.localdate() + timedelta(days=1),
        enterprises=_list(12, ("350582", "350583"), seed=11),
    )
    screening.delegate_by_county(reviewer, task, quanzhou)
    for code in ("350582", "350583"):
        screening_assignment.auto_assign(reviewer, task, Office.objects.get(code=code))
    # The demo's deadline passed a week ago: the banks' results are overdue.
    past = timezone.localdate() - timedelta(days=7)
    ScreeningTask.objects.filter(pk=task.pk).update(deadline=past)
    Assignment.objects.filter(task=task).update(due_date=past)
    ReturnRequest.objects.filter(screening_assignment__task=task).update(due_date=past)


# (days ago, enterprise's answer before the visit, the visit's fields)
GULOU_VISITS: tuple[tuple[int, str, dict], ...] = (
    (
        8,
        Decision.PENDING,
        {
            "met": "企业财务负责人",
            "need_amount": Decimal(300),
            "need_term": 12,
            "need_purpose": "采购原材料",
            "offered": "小微企业信用贷款",
            "decision": Decision.GRANTED,
            "credit_amount": Decimal(300),
            "loan_amount": Decimal(200),
            "rate": Decimal("3.30"),
            "credit_loan": True,
            "first_time": False,
            "renewal": True,
            "next_step": "放款后回访资金使用情况",
        },
    ),
    (
        6,
        Decision.NO_NEED,
        {"met": "法定代表人", "decision": Decision.NO_NEED, "next_step": "三季度再联系"},
    ),
    (
        3,
        Decision.NO_NEED,
        {
            "met": "总经理",
            "need_amount": Decimal(80),
            "offered": "经营性贷款，需补充纳税证明",
            "decision": Decision.PENDING,
            "next_step": "企业补充近两年纳税证明",
        },
    ),
)
# Next steps: due in five days, overdue by two, due in three.
NEXT_STEP_DAYS = (5, -2, 3)


def _visit(user: User, entry: AssignmentEntry, days_ago: int, next_in, fields: dict) -> None:
    visited_at = timezone.now() - timedelta(days=days_ago)
    values = {"visited_at": visited_at, "visitors": user.full_name or user.email}
    if next_in is not None:
        values["next_step_on"] = timezone.localdate() + timedelta(days=next_in)
    if fields.get("loan_amount"):
        values["loan_date"] = timezone.localdate(visited_at) + timedelta(days=2)
    visits.visit_record(
        user,
        visits.VisitInput(
            client_id=uuid.uuid4(),
            assignment_id=entry.assignment_id,
            enterprise_id=entry.enterprise_id,
            values=values | fields,
        ),
    )


def _visits() -> None:
    """The visits, pushed two weeks ago (the demo's tasks were made just now)."""
    pushed = timezone.now() - timedelta(days=14)
    screening_assignment.date_push(
        TaskEnterprise.objects.filter(task__title__in=(FUZHOU_TASK, QUANZHOU_TASK)), pushed
    )
    officer = _user("icbc.gulou.preparer@demo.portal")
    icbc = Assignment.objects.get(task__title=FUZHOU_TASK, branch__memberships__user=officer)
    for (days_ago, before, fields), next_in in zip(GULOU_VISITS, NEXT_STEP_DAYS, strict=True):
        entry = (
            AssignmentEntry.objects.filter(
                assignment=icbc, decision=before, enterprise__assignment=icbc
            )
            .exclude(enterprise__visits__isnull=False)
            .order_by("enterprise__credit_code")
            .first()
        )
        if entry is not None:
            _visit(officer, entry, days_ago, next_in, fields)
    task_force = _user("jinjiang.reviewer@demo.portal")
    entry = AssignmentEntry.objects.filter(
        assignment__task__title=QUANZHOU_TASK, assignment__office__code="350582"
    ).order_by("enterprise__credit_code")[0]
    _visit(task_force, entry, 1, None, {"met": "", "decision": Decision.UNREACHABLE})


def load_demo() -> None:
    """The two demo tasks and their visits; skipped when they exist already."""
    if not ScreeningTask.objects.filter(title=FUZHOU_TASK).exists():
        _fuzhou()
    if not ScreeningTask.objects.filter(title=QUANZHOU_TASK).exists():
        _quanzhou()
    if not Visit.objects.exists():
        _visits()
