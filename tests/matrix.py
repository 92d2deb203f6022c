"""The access matrix: two provinces, offices at every level, two banks with sibling branches,
two SME owners, and a return request with one signed filing for each bank and each branch.
Each outsider has markers (names) that must never reach them."""

from dataclasses import dataclass, field

from portal import audit
from portal.models import (
    AuditEvent,
    Branch,
    Institution,
    InstitutionKind,
    Notification,
    Office,
    Role,
    User,
)
from reporting.models import Filing, FilingStatus, ReturnRequest
from tests import factories as f
from tests.matrix_parts import PARTS


@dataclass
class Matrix:
    gb: Office
    p1: Office
    p2: Office
    city1: Office
    county_a: Office
    county_b: Office
    city2: Office
    county_c: Office
    bank_a: Institution
    bank_b: Institution
    branch_a1: Branch
    branch_a2: Branch
    branch_b1: Branch
    users: dict[str, User] = field(default_factory=dict)
    audit_event_p1: AuditEvent | None = None
    # One inbox entry each for a bank officer and an SME owner.
    notification_bank_a: Notification | None = None
    notification_owner_a: Notification | None = None
    # One request and one signed filing (awaiting review) per filer: _a is bank_a's own,
    # _a1 branch_a1's, and so on.
    request_a: ReturnRequest | None = None
    request_a1: ReturnRequest | None = None
    request_a2: ReturnRequest | None = None
    request_b: ReturnRequest | None = None
    request_b1: ReturnRequest | None = None
    filing_a: Filing | None = None
    filing_a1: Filing | None = None
    filing_a2: Filing | None = None
    filing_b: Filing | None = None
    filing_b1: Filing | None = None

    def __getattr__(self, name: str):
        """A part's objects (screening tasks, complaints, cases...) are built the first time a
        test asks for one of them (the names in the part's ``PROVIDES``), so that the tests of
        one part, and of the core, never count another part's rows."""
        if name.startswith("__"):
            raise AttributeError(name)
        pending = self._pending_parts()
        wanted = [p for p in pending if name in p.PROVIDES] or [
            p for p in pending if not hasattr(p, "PROVIDES")
        ]
        for part in wanted:
            self._build_part(part)
            if name in self.__dict__:
                return self.__dict__[name]
        raise AttributeError(name)

    def build_parts(self) -> None:
        """Every part's objects, for the tests that look at the whole portal."""
        for part in self._pending_parts():
            self._build_part(part)

    def _pending_parts(self) -> list:
        built = self.__dict__.setdefault("built_parts", set())
        return [p for p in PARTS if p.__name__ not in built]

    def _build_part(self, part) -> None:
        self.__dict__["built_parts"].add(part.__name__)
        part.build(self)

    def forbidden(self, user_key: str) -> list[str]:
        """Names that must appear on no page or API answer given to this user."""
        p1_only = [
            self.p1.name_zh,
            self.city1.name_zh,
            self.bank_a.name_zh,
            self.branch_a1.name_zh,
            self.branch_a2.name_zh,
        ]
        p2_only = [self.p2.name_zh, self.city2.name_zh, self.bank_b.name_zh, self.branch_b1.name_zh]
        return {
            "county_a": [self.county_b.name_zh, self.branch_a2.name_zh, *p2_only],
            "county_b": [self.county_a.name_zh, self.branch_a1.name_zh, *p2_only],
            "p1_head": p2_only,
            "p2_head": p1_only,
            # Only authentication events: no office below its own, no bank, no other province.
            "p1_security": [
                self.city1.name_zh,
                self.county_a.name_zh,
                self.county_b.name_zh,
                self.bank_a.name_zh,
                self.branch_a1.name_zh,
                self.branch_a2.name_zh,
                *p2_only,
            ],
            "bank_a": [self.bank_b.name_zh, self.branch_b1.name_zh, self.county_c.name_zh],
            "bank_b": [self.bank_a.name_zh, self.branch_a1.name_zh, self.branch_a2.name_zh],
            "branch_a1": [self.branch_a2.name_zh, *p2_only],
            "branch_a2": [self.branch_a1.name_zh, *p2_only],
            "owner_a": [*p1_only, *p2_only],
            "owner_b": [*p1_only, *p2_only],
        }[user_key]


def build_matrix() -> Matrix:
    gb = f.office("000000", "矩阵总局")
    p1 = f.office("350000", "矩阵甲省局", gb)
    p2 = f.office("440000", "矩阵乙省局", gb)
    city1 = f.office("350100", "矩阵甲市分局", p1)
    county_a = f.office("350102", "矩阵甲一县支局", city1)
    county_b = f.office("350121", "矩阵甲二县支局", city1)
    city2 = f.office("440100", "矩阵乙市分局", p2)
    county_c = f.office("440103", "矩阵乙一县支局", city2)
    bank_a = f.InstitutionFactory(
        name_zh="矩阵甲银行", kind=InstitutionKind.CITY_COMMERCIAL, office=p1
    )
    bank_b = f.InstitutionFactory(
        name_zh="矩阵乙银行", kind=InstitutionKind.RURAL_COMMERCIAL, office=p2
    )
    branch_a1 = f.BranchFactory(institution=bank_a, name_zh="矩阵甲行一号支行", office=county_a)
    branch_a2 = f.BranchFactory(institution=bank_a, name_zh="矩阵甲行二号支行", office=county_b)
    branch_b1 = f.BranchFactory(institution=bank_b, name_zh="矩阵乙行支行", office=county_c)
    m = Matrix(
        gb,
        p1,
        p2,
        city1,
        county_a,
        county_b,
        city2,
        county_c,
        bank_a,
        bank_b,
        branch_a1,
        branch_a2,
        branch_b1,
    )
    m.users = {
        "gb_head": f.member(Role.HEAD, office=gb),
        "p1_head": f.member(Role.HEAD, office=p1),
        "p2_head": f.member(Role.REVIEWER, office=p2),
        "p1_security": f.member(Role.SECURITY, office=p1),
        "county_a": f.member(Role.VIEWER, office=county_a),
        "county_b": f.member(Role.VIEWER, office=county_b),
        "bank_a": f.member(Role.PREPARER, institution=bank_a),
        "bank_b": f.member(Role.APPROVER, institution=bank_b),
        "branch_a1": f.member(Role.PREPARER, branch=branch_a1),
        "branch_a2": f.member(Role.PREPARER, branch=branch_a2),
        "owner_a": f.UserFactory(),
        "owner_b": f.UserFactory(),
    }
    m.audit_event_p1 = audit.record(
        m.users["p1_head"], "office_reviewed", city1, {"note": [None, "矩阵甲省局审阅"]}
    )
    m.notification_bank_a = Notification.objects.create(
        recipient=m.users["bank_a"], message="Return %(name)s is due", params={"name": "矩阵"}
    )
    m.notification_owner_a = Notification.objects.create(
        recipient=m.users["owner_a"], message="Complaint answered", url="/"
    )
    for suffix, institution, branch, uploader in (
        ("a", bank_a, None, "bank_a"),
        ("a1", bank_a, branch_a1, "branch_a1"),
        ("a2", bank_a, branch_a2, "branch_a2"),
        ("b", bank_b, None, "bank_b"),
        ("b1", bank_b, branch_b1, "bank_b"),
    ):
        # Its own source_ref keeps it clear of the requests that tests open for a period.
        request = f.ReturnRequestFactory(
            institution=institution, branch=branch, source_ref="matrix"
        )
        filing = f.FilingFactory(
            request=request,
            uploaded_by=m.users[uploader],
            status=FilingStatus.SUBMITTED,
            receipt_number=f"MATRIX-{suffix.upper()}",
        )
        setattr(m, f"request_{suffix}", request)
        setattr(m, f"filing_{suffix}", filing)
    return m
