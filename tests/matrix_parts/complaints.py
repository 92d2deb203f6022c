"""Complaints in the matrix. The matrix's owners must see nothing of either province's banks,
so their own complaints are against a third bank (bank_c) that no other user's markers name;
the complaints against bank_a and bank_b come from two more owners."""

from tests import factories as f

# The matrix builds this part when a test first asks for one of these.
PROVIDES = (
    "bank_c",
    "branch_c_a",
    "branch_c_c",
    "complaint_a1",
    "complaint_b1",
    "complaint_owner_a",
    "complaint_owner_b",
    "attachment_a1",
    "attachment_owner_a",
)


def build(m) -> None:
    # A national bank, supervised from the top, with a branch in each province.
    m.bank_c = f.InstitutionFactory(name_zh="矩阵丙银行", office=m.gb)
    m.branch_c_a = f.BranchFactory(
        institution=m.bank_c, name_zh="矩阵丙行甲支行", office=m.county_a
    )
    m.branch_c_c = f.BranchFactory(
        institution=m.bank_c, name_zh="矩阵丙行乙支行", office=m.county_c
    )
    m.users["complainant_a"] = f.UserFactory()
    m.users["complainant_b"] = f.UserFactory()
    m.complaint_a1 = f.ComplaintFactory(owner=m.users["complainant_a"], branch=m.branch_a1)
    m.complaint_b1 = f.ComplaintFactory(owner=m.users["complainant_b"], branch=m.branch_b1)
    m.complaint_owner_a = f.ComplaintFactory(owner=m.users["owner_a"], branch=m.branch_c_a)
    m.complaint_owner_b = f.ComplaintFactory(owner=m.users["owner_b"], branch=m.branch_c_c)
    m.attachment_a1 = f.AttachmentFactory(complaint=m.complaint_a1)
    m.attachment_owner_a = f.AttachmentFactory(complaint=m.complaint_owner_a)
