"""The demo jurisdiction the run command loads: one province (Fujian) under the General
Bureau, three sub-bureaus, eight county offices, a dozen institutions with branches, and a
user for every role. Codes are real division codes; credit codes are synthetic but valid."""

from django.db import transaction

from portal.identifiers import make_credit_code
from portal.models import Branch, Institution, Membership, Office, Role, User
from portal.structure import (
    BranchRow,
    InstitutionRow,
    OfficeRow,
    save_divisions,
    save_institutions,
    save_offices,
)

DEMO_PASSWORD = "demo-portal-2026"

OFFICES = [
    OfficeRow(
        "000000", "国家金融监督管理总局", "National Financial Regulatory Administration", 1, None
    ),
    OfficeRow("350000", "福建监管局", "Fujian Bureau", 2, "000000"),
    OfficeRow("350100", "福州监管分局", "Fuzhou Sub-bureau", 3, "350000"),
    OfficeRow("350300", "莆田监管分局", "Putian Sub-bureau", 3, "350000"),
    OfficeRow("350500", "泉州监管分局", "Quanzhou Sub-bureau", 3, "350000"),
    OfficeRow("350102", "鼓楼监管支局", "Gulou County Office", 4, "350100"),
    OfficeRow("350121", "闽侯监管支局", "Minhou County Office", 4, "350100"),
    OfficeRow("350181", "福清监管支局", "Fuqing County Office", 4, "350100"),
    OfficeRow("350322", "仙游监管支局", "Xianyou County Office", 4, "350300"),
    OfficeRow("350302", "城厢监管支局", "Chengxiang County Office", 4, "350300"),
    OfficeRow("350582", "晋江监管支局", "Jinjiang County Office", 4, "350500"),
    OfficeRow("350583", "南安监管支局", "Nan'an County Office", 4, "350500"),
    OfficeRow("350521", "惠安监管支局", "Hui'an County Office", 4, "350500"),
]

# (key, name_zh, name_en, kind, head-office office code, branch offices)
INSTITUTIONS = [
    (
        "icbc",
        "中国工商银行股份有限公司",
        "Industrial and Commercial Bank of China",
        "large",
        "000000",
        ["350000", "350102", "350181", "350582"],
    ),
    (
        "ccb",
        "中国建设银行股份有限公司",
        "China Construction Bank",
        "large",
        "000000",
        ["350000", "350121", "350583"],
    ),
    (
        "cmb",
        "招商银行股份有限公司",
        "China Merchants Bank",
        "joint_stock",
        "000000",
        ["350000", "350102", "350582"],
    ),
    (
        "cib",
        "兴业银行股份有限公司",
        "Industrial Bank",
        "joint_stock",
        "350000",
        ["350102", "350302", "350521"],
    ),
    (
        "fjhx",
        "福建海峡银行股份有限公司",
        "Fujian Haixia Bank",
        "city_commercial",
        "350100",
        ["350102", "350121", "350181"],
    ),
    (
        "qzb",
        "泉州银行股份有限公司",
        "Bank of Quanzhou",
        "city_commercial",
        "350500",
        ["350582", "350583", "350521"],
    ),
    (
        "jjrcb",
        "福建晋江农村商业银行股份有限公司",
        "Jinjiang Rural Commercial Bank",
        "rural_commercial",
        "350582",
        ["350582"],
    ),
    (
        "xyrcb",
        "福建仙游农村商业银行股份有限公司",
        "Xianyou Rural Commercial Bank",
        "rural_commercial",
        "350322",
        ["350322"],
    ),
    (
        "mhvb",
        "闽侯民泰村镇银行股份有限公司",
        "Minhou Mintai Village Bank",
        "village",
        "350121",
        ["350121"],
    ),
    (
        "hsbc",
        "汇丰银行（中国）有限公司",
        "HSBC Bank (China)",
        "foreign",
        "000000",
        ["350000", "350102"],
    ),
    (
        "adbc",
        "中国农业发展银行",
        "Agricultural Development Bank of China",
        "policy",
        "000000",
        ["350000", "350302"],
    ),
    (
        "picc",
        "中国人民财产保险股份有限公司",
        "PICC Property and Casualty",
        "insurer",
        "000000",
        ["350000", "350102", "350582"],
    ),
]

# (email, name, role, office code | institution key | (institution key, branch office code))
USERS = [
    ("gb.head@demo.portal", "总局 王处长", Role.HEAD, "000000"),
    ("fj.head@demo.portal", "福建局 林局长", Role.HEAD, "350000"),
    ("fj.reviewer@demo.portal", "福建局 陈审核", Role.REVIEWER, "350000"),
    ("fj.security@demo.portal", "福建局 安全员", Role.SECURITY, "350000"),
    ("fz.reviewer@demo.portal", "福州分局 黄审核", Role.REVIEWER, "350100"),
    ("qz.viewer@demo.portal", "泉州分局 吴查看", Role.VIEWER, "350500"),
    ("gulou.viewer@demo.portal", "鼓楼支局 郑查看", Role.VIEWER, "350102"),
    ("jinjiang.reviewer@demo.portal", "晋江支局 蔡审核", Role.REVIEWER, "350582"),
    ("cib.preparer@demo.portal", "兴业银行 填报员", Role.PREPARER, "cib"),
    ("cib.approver@demo.portal", "兴业银行 审批人", Role.APPROVER, "cib"),
    ("qzb.preparer@demo.portal", "泉州银行 填报员", Role.PREPARER, "qzb"),
    ("qzb.approver@demo.portal", "泉州银行 审批人", Role.APPROVER, "qzb"),
    ("icbc.gulou.preparer@demo.portal", "工行鼓楼支行 填报员", Role.PREPARER, ("icbc", "350102")),
    ("icbc.gulou.approver@demo.portal", "工行鼓楼支行 审批人", Role.APPROVER, ("icbc", "350102")),
    ("picc.preparer@demo.portal", "人保财险 填报员", Role.PREPARER, "picc"),
    ("owner@demo.portal", "晋江 张老板（企业主）", None, None),
    ("owner2@demo.portal", "福州 李老板（企业主）", None, None),
]


def credit_code_for(key: str, office_code: str, serial: int = 0) -> str:
    org8 = (key.upper() + "0000000")[:4] + f"{serial:04d}"
    org8 = "".join(ch if ch in "0123456789ABCDEFGHJKLMNPQRTUWXY" else "1" for ch in org8)
    return make_credit_code("91", office_code if office_code != "000000" else "110000", org8)


def _place(row: OfficeRow) -> str:
    """An office's place name: 福州监管分局 -> 福州."""
    return row.name_zh.replace("监管分局", "").replace("监管支局", "").replace("监管局", "")


def branch_name_zh(name_zh: str, kind: str, office: OfficeRow, offices: dict) -> str:
    """A branch named as banks and insurers name theirs: 兴业银行福州鼓楼支行 under a county
    office, 兴业银行福州分行 under a city's, 兴业银行福建省分行 under a province's (an insurer's
    分公司 and 支公司)."""
    short = name_zh.split("股份")[0].split("有限")[0]
    insurer = kind == "insurer"
    if office.level == 2:
        return f"{short}{_place(office)}省{'分公司' if insurer else '分行'}"
    if office.level == 3:
        return f"{short}{_place(office)}{'中心支公司' if insurer else '分行'}"
    city = _place(offices[office.parent_code])
    if city in short or _place(office) in short:  # 泉州银行晋江支行, not 泉州银行泉州晋江支行
        city = ""
    return f"{short}{city}{_place(office)}{'支公司' if insurer else '支行'}"


def institution_rows() -> tuple[list[InstitutionRow], list[BranchRow]]:
    offices = {row.code: row for row in OFFICES}
    entities, branches = [], []
    for key, name_zh, name_en, kind, head, branch_offices in INSTITUTIONS:
        code = credit_code_for(key, head)
        entities.append(InstitutionRow(code, name_zh, name_en, kind, head))
        for serial, office_code in enumerate(branch_offices, start=1):
            place = offices[office_code]
            short_en = place.name_en.split(" ")[0]
            branches.append(
                BranchRow(
                    credit_code_for(key, office_code, serial),
                    branch_name_zh(name_zh, kind, place, offices),
                    f"{name_en}, {short_en} branch",
                    code,
                    office_code,
                )
            )
    return entities, branches


@transaction.atomic
def load_demo() -> list[tuple[str, str]]:
    """Load (or refresh) the demo; returns the logins as (email, description)."""
    save_offices(OFFICES)
    # Every county of Fujian by its own name, covered by the demo's offices, for the owners'
    # complaint form.
    save_divisions(["350000"])
    save_institutions(*institution_rows())
    codes = {key: credit_code_for(key, head) for key, _, _, _, head, _ in INSTITUTIONS}
    logins = []
    for email, name, role, where in USERS:
        user, created = User.objects.get_or_create(
            email=email, defaults={"full_name": name, "is_active": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        description = "SME owner"
        if role is not None:
            target: Office | Institution | Branch
            if isinstance(where, tuple):
                key, office_code = where
                target = Branch.objects.get(
                    institution__credit_code=codes[key], office__code=office_code
                )
                Membership.objects.get_or_create(user=user, role=role, branch=target)
            elif where in codes:
                target = Institution.objects.get(credit_code=codes[where])
                Membership.objects.get_or_create(user=user, role=role, institution=target)
            else:
                target = Office.objects.get(code=where)
                Membership.objects.get_or_create(user=user, role=role, office=target)
            description = f"{role.label} @ {target.name_en or target.name_zh}"
        logins.append((email, description))
    return logins


def all_demo_logins(first: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``first`` (the core's logins, in their order), then every other demo account (an
    address at ``demo.portal``) the capabilities' demos made, each with its place."""
    listed = {email for email, _ in first}
    others = (
        User.objects.filter(email__endswith="@demo.portal")
        .exclude(email__in=listed)
        .prefetch_related("memberships__office", "memberships__institution", "memberships__branch")
        .order_by("email")
    )
    return [*first, *((user.email, _described(user)) for user in others)]


def _described(user: User) -> str:
    membership = next(iter(user.memberships.all()), None)
    if membership is None or membership.target is None:
        return "SME owner"
    target = membership.target
    return f"{membership.get_role_display()} @ {target.name_en or target.name_zh}"
