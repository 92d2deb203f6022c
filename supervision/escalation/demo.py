"""Demo escalation cases in Fujian, made through the same services as real ones: open cases at
a county office, a sub-bureau, the province and the General Bureau, one that climbed, one
acknowledged, one whose rectification notice awaits the office's decision, one closed, and the
return-overdue case that the returns demo's late return raises."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.models import Branch, Institution, User
from supervision.causes import Cause
from supervision.escalation import climbing, raising
from supervision.escalation import services as escalation
from supervision.escalation.models import Case, CaseCause, CauseKind

PREFIX = "demo:"


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _cause(subject: Institution | Branch, kind: str, measure: int, summary: str, days_ago: int):
    institution = subject.institution if isinstance(subject, Branch) else subject
    return Cause(
        kind=kind,
        key=f"{PREFIX}{kind}:{subject.credit_code}",
        institution_id=institution.pk,
        branch_id=subject.pk if isinstance(subject, Branch) else None,
        office_id=subject.office_id,
        measure=Decimal(measure),
        summary=summary,
        evidence_url="",
        occurred_on=timezone.localdate() - timedelta(days=days_ago),
    )


def _raised(cause: Cause, *, now: datetime | None = None) -> Case:
    """The case the demo's cause raises: its key is new and its measure over the default
    rule's threshold."""
    case = raising.escalation_raise(cause, now=now)
    assert case is not None, f"the demo's cause {cause.key} raised no case"
    return case


def _institution(name_en: str) -> Institution:
    return Institution.objects.get(name_en=name_en)


def load_demo() -> None:
    """The demo cases; skipped when they exist already."""
    if CaseCause.objects.filter(key__startswith=PREFIX).exists():
        return
    now = timezone.now()
    province = _user("fj.reviewer@demo.portal")
    # The returns demo's late return (Bank of Quanzhou) raises its case at the sub-bureau.
    climbing.collect_causes(now)
    _open_cases(province, now)
    _closed_case(province)
    _awaiting_decision(province)


def _open_cases(province: User, now: datetime) -> None:
    """Open at a county office, a sub-bureau (climbed there), the province (acknowledged) and
    the General Bureau."""
    # Open at a county office: a complaint past its deadline at ICBC's Gulou branch.
    gulou = Branch.objects.get(
        institution__name_en="Industrial and Commercial Bank of China", office__code="350102"
    )
    raising.escalation_raise(
        _cause(gulou, CauseKind.COMPLAINT_OVERDUE, 4, "投诉逾期 4 天未办结 / 4 days overdue", 4)
    )

    # Climbed: misreported data at Minhou's village bank, unacted by the county office.
    minhou = _raised(
        _cause(
            _institution("Minhou Mintai Village Bank"),
            CauseKind.MISREPORTED_DATA,
            1,
            "报送数据与检查结果不符 / reported data differ from the inspection",
            20,
        ),
        now=now - timedelta(days=20),
    )
    climbing.climb(minhou.pk, now - timedelta(days=4))

    # Acknowledged by the province: screening work overdue at Xianyou Rural Commercial Bank.
    xianyou = _raised(
        _cause(
            _institution("Xianyou Rural Commercial Bank"),
            CauseKind.SCREENING_OVERDUE,
            9,
            "摸排清单逾期 9 天未反馈 / screening results 9 days overdue",
            9,
        )
    )
    escalation.case_acknowledge(province, xianyou)

    # At the General Bureau: ICBC's head office graded 3.
    raising.escalation_raise(
        _cause(
            _institution("Industrial and Commercial Bank of China"),
            CauseKind.LOW_GRADE,
            3,
            "小微企业金融服务监管评价 3 级 / evaluation grade 3",
            30,
        )
    )


def _closed_case(province: User) -> None:
    """Closed: Industrial Bank graded 4; a talk, a notice, a remedy accepted."""
    today = timezone.localdate()
    cib = _raised(
        _cause(
            _institution("Industrial Bank"),
            CauseKind.LOW_GRADE,
            4,
            "小微企业金融服务监管评价 4 级 / evaluation grade 4",
            60,
        )
    )
    escalation.action_record(
        province,
        cib,
        "talk",
        today,
        "约谈分管行领导，要求一个月内提交整改方案。",
        principal_officer="分管行长（演示）",
    )
    notice = escalation.notice_issue(
        province, cib, "提交小微企业信贷投放整改方案及董事会决议。", today + timedelta(days=30)
    )
    escalation.notice_answer(
        _user("cib.preparer@demo.portal"),
        notice,
        "已提交整改方案，董事会已审议通过。",
        [SimpleUploadedFile("整改方案.txt", "整改方案（演示）".encode())],
    )
    escalation.notice_decide(province, notice, accept=True, note="整改方案可行")
    escalation.case_close(province, cib, "整改方案已落实，结案。")


def _awaiting_decision(province: User) -> None:
    """Awaiting the office's decision: substantive complaints join Bank of Quanzhou's case for
    its late return, and the bank answered the notice that followed."""
    today = timezone.localdate()
    qzb = _raised(
        _cause(
            _institution("Bank of Quanzhou"),
            CauseKind.SUBSTANTIVE_COMPLAINTS,
            3,
            "本季度实质性投诉 3 件 / 3 substantive complaints this quarter",
            10,
        )
    )
    notice = escalation.notice_issue(
        province, qzb, "说明逾期报送及投诉原因，限期补报。", today + timedelta(days=15)
    )
    escalation.notice_answer(
        _user("qzb.preparer@demo.portal"),
        notice,
        "已补报并完成投诉处理，附说明。",
        [SimpleUploadedFile("情况说明.txt", "情况说明（演示）".encode())],
    )
