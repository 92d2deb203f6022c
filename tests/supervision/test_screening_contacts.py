"""An enterprise's contact person and phone are shown in full only to the bank it is assigned
to, and the pages and the API give every reader the same answer (supervision/screening/
contacts.py). No screening export carries contacts: the result workbook lists credit codes."""

import pytest
from django.urls import reverse

from portal import scoping
from portal.models import Membership, Role
from supervision.screening import assignment as screening_assignment
from supervision.screening import contacts
from supervision.screening.models import TaskEnterprise
from tests import factories as f

pytestmark = pytest.mark.django_db

CONTACT, PHONE = "欧阳娜娜", "13912345678"
MASKED_CONTACT, MASKED_PHONE = "欧***", "139****5678"


@pytest.fixture
def moved(matrix):
    """Enterprise A of the matrix's task, given first to branch a1 of bank A, then moved by
    the province to a new branch of bank B in county A: bank B is the assigned bank, bank A's
    branch keeps its entry in the history. It alone has this contact."""
    enterprise = matrix.screening_enterprises["a"]
    TaskEnterprise.objects.filter(pk=enterprise.pk).update(contact=CONTACT, phone=PHONE)
    branch = f.BranchFactory(institution=matrix.bank_b, office=matrix.county_a)
    screening_assignment.assign(
        matrix.users["p1_head"],
        matrix.screening_task_p1,
        matrix.county_a,
        institution=matrix.bank_b,
        branch=branch,
        credit_codes=[matrix.screening_code_a],
    )
    enterprise.refresh_from_db()
    assert enterprise.assignment.branch == branch
    return enterprise


def _shown(text: str) -> str | None:
    """'full' or 'masked' as the moved enterprise's contact appears in ``text``, else None."""
    full = PHONE in text or CONTACT in text
    masked = MASKED_PHONE in text or MASKED_CONTACT in text
    assert not (full and masked), "one reader, one answer"
    return "full" if full else "masked" if masked else None


def _everywhere(client, matrix, enterprise) -> dict[str, str]:
    """Where the enterprise's contact reaches ``client``'s user, and in which form."""
    first, now = matrix.screening_assignment_a1, enterprise.assignment
    code = enterprise.credit_code
    pages = {
        "task page": reverse("screening-task", args=[enterprise.task_id]),
        "first assignment page": reverse("screening-assignment", args=[first.pk]),
        "assignment page": reverse("screening-assignment", args=[now.pk]),
        "history": reverse("screening-enterprise", args=[code]),
    }
    found = {}
    for where, url in pages.items():
        response = client.get(url, {"office": matrix.county_a.code} if "task" in where else {})
        if response.status_code == 200 and (form := _shown(response.content.decode())):
            found[where] = form
    api = {
        "api list": (reverse("api:screening-enterprise-list"), {"credit_code": code}),
        "api detail": (reverse("api:screening-enterprise-detail", args=[enterprise.pk]), {}),
        "api first assignment": (
            reverse("api:screening-assignment-enterprises", args=[first.pk]),
            {},
        ),
        "api assignment": (reverse("api:screening-assignment-enterprises", args=[now.pk]), {}),
    }
    for where, (url, params) in api.items():
        response = client.get(url, params)
        if response.status_code != 200:
            continue
        body = response.json()
        rows = body.get("results", [body])
        for row in rows:
            if row["credit_code"] == code:
                found[where] = _shown(f"{row['contact']} {row['phone']}")
    return found


def _reader(matrix, moved, who: str):
    branch = moved.assignment.branch
    if who == "assigned branch":
        return f.member(Role.PREPARER, branch=branch)
    if who == "office and assigned branch":
        user = f.member(Role.VIEWER, office=matrix.county_a)
        Membership.objects.create(user=user, role=Role.PREPARER, branch=branch)
        return user
    return matrix.users[who]


@pytest.mark.parametrize(
    ("who", "answer", "seen_at"),
    [
        ("assigned branch", "full", {"task page", "assignment page", "history", "api list"}),
        ("bank_b", "full", {"assignment page", "api detail", "api assignment"}),  # its bank
        ("branch_a1", "masked", {"first assignment page"}),  # another bank, asked before
        ("bank_a", "masked", {"first assignment page"}),  # that bank, at the institution
        ("county_a", "masked", {"task page", "assignment page", "history", "api list"}),
        ("p1_head", "masked", {"first assignment page", "api detail", "api assignment"}),
        ("office and assigned branch", "full", {"task page", "history", "api detail"}),
    ],
)
def test_pages_and_api_give_each_reader_the_same_answer(
    matrix, moved, client_for, who, answer, seen_at
):
    found = _everywhere(client_for(_reader(matrix, moved, who)), matrix, moved)
    assert seen_at <= found.keys(), found
    assert set(found.values()) == {answer}, found


def test_another_bank_never_reaches_the_enterprise_through_the_api(matrix, moved, client_for):
    found = _everywhere(client_for(matrix.users["branch_a1"]), matrix, moved)
    assert not {where for where in found if where.startswith("api")}


def test_shows_contact_is_the_assigned_banks_reach_and_nothing_else(matrix, moved):
    """The contact rule names the same bank as the scoping rule by which a bank sees an
    enterprise at all; an office's reach never adds to it."""
    enterprises = list(TaskEnterprise.objects.select_related("assignment"))
    assert any(e.assignment is None for e in enterprises)  # county B's own task, unassigned
    readers = [*matrix.users.values(), _reader(matrix, moved, "office and assigned branch")]
    for user in readers:
        banks_reach = set(
            scoping.actionable(user, TaskEnterprise, Role.PREPARER).values_list("pk", flat=True)
        )
        for enterprise in enterprises:
            assert contacts.shows_contact(user, enterprise) is (enterprise.pk in banks_reach), (
                user,
                enterprise,
            )


def test_contact_for_masks_the_name_and_the_phone(matrix, moved):
    assert contacts.contact_for(matrix.users["bank_b"], moved) == (CONTACT, PHONE)
    assert contacts.contact_for(matrix.users["p1_head"], moved) == (MASKED_CONTACT, MASKED_PHONE)
    assert contacts.mask_phone("1234") == "****" and contacts.mask_contact("") == ""
