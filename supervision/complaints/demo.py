"""Complaints in the demo jurisdiction (Fujian), one in each state (two rated by their owner),
filed by the demo's two SME owners through the same service functions people use. Running it
again adds nothing: each demo complaint is known by its enterprise's credit code. Each step
commits on its own, as people's do: the services open durable transactions, which no demo may
wrap."""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from portal.demo import DEMO_PASSWORD, INSTITUTIONS, credit_code_for
from portal.models import Branch, Division, Membership, Office, Role, User
from supervision.complaints import closing, referral
from supervision.complaints import deadlines as complaint_deadlines
from supervision.complaints import desk as office_desk
from supervision.complaints import services as complaints
from supervision.complaints.models import (
    Complaint,
    ComplaintEvent,
    Complexity,
    Outcome,
    ReferralBody,
)

OWNERS = [
    ("owner@demo.portal", "晋江 张老板（企业主）"),
    ("owner2@demo.portal", "福州 李老板（企业主）"),
]

# (owner, institution key, branch office, category, enterprise, what happened, ask, steps)
CASES = [
    (
        "owner2",
        "icbc",
        "350102",
        "credit",
        "福州榕城小吃店",
        "申请经营贷款一个月无人联系。",
        "尽快审批。",
        [],
    ),
    (
        "owner2",
        "fjhx",
        "350102",
        "renewal",
        "福州闽都五金厂",
        "续贷要求先还本金。",
        "无还本续贷。",
        ["acknowledge"],
    ),
    (
        "owner",
        "cib",
        "350102",
        "fees",
        "福州三坊茶行",
        "放贷时收取财务顾问费。",
        "退还顾问费。",
        ["ask"],
    ),
    (
        "owner",
        "icbc",
        "350102",
        "tied_products",
        "福州鼓楼印务",
        "贷款时被要求购买保险。",
        "退保退费。",
        ["answer"],
    ),
    (
        "owner2",
        "qzb",
        "350582",
        "rates",
        "晋江鞋材加工厂",
        "利率高于合同约定。",
        "按合同利率计息。",
        ["answer", "accept", "rate"],
    ),
    (
        "owner",
        "qzb",
        "350582",
        "collateral",
        "晋江纺织辅料厂",
        "信用贷款被要求追加房产抵押。",
        "取消抵押要求。",
        ["answer", "reject"],
    ),
    (
        "owner2",
        "cmb",
        "350102",
        "attitude",
        "福州东街花店",
        "客户经理多次推诿。",
        "更换客户经理并道歉。",
        ["overdue"],
    ),
    (
        "owner",
        "jjrcb",
        "350582",
        "data",
        "晋江陶瓷配件厂",
        "企业信息被泄露给第三方。",
        "说明并整改。",
        ["answer", "reject", "substantive", "mediate"],
    ),
    (
        "owner2",
        "icbc",
        "350181",
        "other",
        "福清海产品贸易",
        "网点营业时间与公示不符。",
        "按公示时间营业。",
        ["answer", "reject", "close", "rate"],
    ),
    (
        "owner",
        "cib",
        "350102",
        "fees",
        "福州鼓楼文具店",
        "账户管理费未事先告知。",
        "说明收费依据。",
        ["no_feedback"],
    ),
    (
        "owner2",
        "icbc",
        "350102",
        "data",
        "福州温泉洗衣店",
        "征信报告有一笔不属于本企业的逾期记录。",
        "更正征信记录。",
        ["refer"],
    ),
]


def _owner(email: str, name: str) -> User:
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"full_name": name, "is_active": True, "email_verified_at": timezone.now()},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _staff(email: str) -> User:
    return User.objects.get(email=email)


def _overdue(c: Complaint) -> None:
    """Filed three weeks ago and never answered: beat's sweep puts it on the desk."""
    past = timezone.now() - timedelta(days=21)
    Complaint.objects.filter(pk=c.pk).update(
        filed_at=past, due_on=timezone.localdate(past) + timedelta(days=15)
    )
    ComplaintEvent.objects.filter(complaint=c).update(at=past)
    complaint_deadlines.sweep_overdue()


def _rate(c: Complaint) -> None:
    accepted = c.status == "accepted"
    closing.rate(c.owner, c, 4 if accepted else 2, accepted, "" if accepted else "处理太慢。")


def _refer(c: Complaint, office: User) -> None:
    body = ReferralBody.objects.get(code="pboc-fuzhou")
    referral.refer(office, c, body, "征信异议由人民银行分支机构受理。")


Step = Callable[[Complaint, User, User], object]
# Each step of a demo story: (complaint, bank officer, office head) -> the service it calls.
STEPS: dict[str, Step] = {
    "acknowledge": lambda c, bank, _o: complaints.acknowledge(bank, c, Complexity.COMPLEX),
    "ask": lambda c, bank, _o: complaints.request_info(bank, c, "请提供借款合同及收费凭证。"),
    "answer": lambda c, bank, _o: complaints.answer(
        bank, c, Outcome.EXPLAINED, "经核查，相关收费和要求符合本行规定。"
    ),
    "accept": lambda c, _b, _o: complaints.accept_answer(c.owner, c),
    "reject": lambda c, _b, _o: complaints.reject_answer(c.owner, c, "答复未回应我的诉求。"),
    "substantive": lambda c, _b, office: office_desk.assess(
        office, c, True, "经核实，机构存在违规行为。"
    ),
    "mediate": lambda c, _b, office: office_desk.mediate(office, c, "已约请双方于本周面谈。"),
    "close": lambda c, _b, office: office_desk.close(office, c, "经调解，双方达成一致。"),
    "rate": lambda c, _b, _o: _rate(c),
    "refer": lambda c, _b, office: _refer(c, office),
    "no_feedback": lambda c, bank, _o: _no_feedback(c, bank),
    "overdue": lambda c, _b, _o: _overdue(c),
}


def _play(c: Complaint, steps: list[str], bank: User, office: User) -> None:
    for step in steps:
        c.refresh_from_db()
        STEPS[step](c, bank, office)


def _no_feedback(c: Complaint, bank: User) -> None:
    """Answered three weeks ago and never confirmed: beat's sweep closes it."""
    complaints.answer(bank, c, Outcome.EXPLAINED, "该费用已在开户协议中载明。")
    past = timezone.now() - timedelta(days=21)
    Complaint.objects.filter(pk=c.pk).update(
        filed_at=past - timedelta(days=5),
        answered_at=past,
        first_answered_at=past,
        feedback_due_on=timezone.localdate(past) + timedelta(days=15),
    )
    closing.close_unconfirmed()


def load_demo() -> None:
    owners = {email.split("@")[0]: _owner(email, name) for email, name in OWNERS}
    office = _staff("fj.head@demo.portal")
    for serial, (who, key, office_code, category, name, what, ask, steps) in enumerate(
        CASES, start=1
    ):
        code = credit_code_for(f"CP{serial:02d}", office_code, serial)
        if Complaint.objects.filter(enterprise_credit_code=code).exists():
            continue
        branch = Branch.objects.get(
            institution__credit_code=credit_code_for(key, _head_office(key)),
            office__code=office_code,
        )
        c = complaints.file_complaint(
            owners[who],
            branch=branch,
            county=Division.objects.get(code=office_code),
            category=category,
            enterprise_name=name,
            enterprise_credit_code=code,
            legal_representative=owners[who].full_name[:2] + "某",
            address=f"{Office.objects.get(code=office_code).name_zh}辖内",
            contact_phone=f"1380000{serial:04d}",
            description=what,
            wish=ask,
        )
        bank = branch.institution.memberships.first() or branch.memberships.first()
        bank_user = bank.user if bank else _bank_stand_in(branch)
        _play(c, steps, bank_user, office)


def _head_office(key: str) -> str:
    return next(head for k, _, _, _, head, _ in INSTITUTIONS if k == key)


def _bank_stand_in(branch: Branch) -> User:
    """An officer for a demo bank that has none, so that its answers have an author."""
    user, created = User.objects.get_or_create(
        email=f"complaints.{branch.institution.credit_code.lower()}@demo.portal",
        defaults={"full_name": f"{branch.institution.name_zh} 投诉专员", "is_active": True},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        Membership.objects.create(user=user, role=Role.PREPARER, institution=branch.institution)
    return user
