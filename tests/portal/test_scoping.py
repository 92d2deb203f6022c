"""portal.scoping: which rows of the tree each kind of user may see and act on."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from portal import scoping
from portal.models import AuditEvent, Branch, Division, Institution, Membership, Office, Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def codes(qs) -> set[str]:
    return set(qs.values_list("code", flat=True))


def names(qs) -> set[str]:
    return set(qs.values_list("name_zh", flat=True))


def test_a_regulator_sees_its_office_and_everything_under_it_only(matrix):
    m = matrix
    p1_head = m.users["p1_head"]
    assert codes(scoping.visible(p1_head, Office)) == {
        m.p1.code,
        m.city1.code,
        m.county_a.code,
        m.county_b.code,
    }
    assert names(scoping.visible(p1_head, Institution)) == {m.bank_a.name_zh}
    assert names(scoping.visible(p1_head, Branch)) == {m.branch_a1.name_zh, m.branch_a2.name_zh}


def test_a_county_office_sees_its_branches_and_their_banks_but_not_its_siblings(matrix):
    m = matrix
    county_a = m.users["county_a"]
    assert codes(scoping.visible(county_a, Office)) == {m.county_a.code}
    assert names(scoping.visible(county_a, Branch)) == {m.branch_a1.name_zh}
    # Bank A's head office is supervised by the province, but one of its branches is here.
    assert names(scoping.visible(county_a, Institution)) == {m.bank_a.name_zh}
    assert not scoping.visible(m.users["county_b"], Branch).filter(pk=m.branch_a1.pk).exists()


def test_the_general_bureau_sees_the_whole_tree(matrix):
    m = matrix
    gb_head = m.users["gb_head"]
    assert scoping.visible(gb_head, Office).count() == Office.objects.count() == 8
    assert names(scoping.visible(gb_head, Institution)) == {m.bank_a.name_zh, m.bank_b.name_zh}
    assert scoping.visible(gb_head, Branch).count() == 3


def test_a_bank_officer_at_the_institution_sees_all_its_branches_and_no_other_bank(matrix):
    m = matrix
    bank_a = m.users["bank_a"]
    assert names(scoping.visible(bank_a, Institution)) == {m.bank_a.name_zh}
    assert names(scoping.visible(bank_a, Branch)) == {m.branch_a1.name_zh, m.branch_a2.name_zh}
    assert not scoping.visible(bank_a, Office).exists()


def test_a_bank_officer_at_a_branch_sees_only_that_branch_and_its_institution(matrix):
    m = matrix
    branch_a1 = m.users["branch_a1"]
    assert names(scoping.visible(branch_a1, Branch)) == {m.branch_a1.name_zh}
    assert names(scoping.visible(branch_a1, Institution)) == {m.bank_a.name_zh}
    assert not scoping.visible(branch_a1, Office).exists()


def test_an_sme_owner_sees_nothing_of_the_structure(matrix):
    owner = matrix.users["owner_a"]
    scope = scoping.scope_of(owner)
    assert scope.is_sme_owner and not scope.is_regulator and not scope.is_bank
    for model in (Office, Institution, Branch, Division, AuditEvent):
        assert not scoping.visible(owner, model).exists(), model


def test_an_anonymous_user_sees_nothing(matrix):
    for model in scoping.registered_models():
        assert not scoping.visible(AnonymousUser(), model).exists(), model


def test_memberships_add_up(matrix):
    m = matrix
    user = m.users["county_a"]
    Membership.objects.create(user=user, role=Role.VIEWER, office=m.county_c)
    assert codes(scoping.visible(user, Office)) == {m.county_a.code, m.county_c.code}
    assert names(scoping.visible(user, Branch)) == {m.branch_a1.name_zh, m.branch_b1.name_zh}


def test_visible_narrows_a_queryset_it_is_given(matrix):
    m = matrix
    qs = Branch.objects.filter(institution=m.bank_a)
    assert names(scoping.visible(m.users["county_b"], qs)) == {m.branch_a2.name_zh}
    assert not scoping.visible(m.users["p2_head"], qs).exists()


def test_divisions_follow_the_office_that_covers_them(matrix):
    m = matrix
    Division.objects.create(code="350103", name_zh="矩阵甲区", office=m.city1)
    Division.objects.create(code="440104", name_zh="矩阵乙区", office=m.city2)
    seen = scoping.visible(m.users["p1_head"], Division).select_related("office")
    assert "矩阵甲区" in names(seen) and "矩阵乙区" not in names(seen)
    assert all(d.office.path.startswith(m.p1.path) for d in seen)
    assert not scoping.visible(m.users["county_a"], Division).filter(code="350103").exists()


@pytest.mark.parametrize(
    ("user_key", "role", "expected"),
    [
        ("county_a", Role.VIEWER, True),
        ("county_a", Role.REVIEWER, False),
        ("p2_head", Role.REVIEWER, True),
        ("p2_head", Role.HEAD, False),
        ("p1_head", Role.REVIEWER, True),
        ("p1_head", Role.HEAD, True),
    ],
)
def test_regulators_act_only_up_to_their_role(matrix, user_key, role, expected):
    user = matrix.users[user_key]
    acting = scoping.actionable(user, Office, role)
    assert acting.exists() is expected
    if expected:
        assert set(acting) == set(scoping.visible(user, Office))


@pytest.mark.parametrize(
    ("user_key", "role", "expected"),
    [
        ("bank_a", Role.PREPARER, True),
        ("bank_a", Role.APPROVER, False),
        ("bank_b", Role.PREPARER, True),
        ("bank_b", Role.APPROVER, True),
        ("branch_a1", Role.APPROVER, False),
    ],
)
def test_bank_officers_act_only_up_to_their_role(matrix, user_key, role, expected):
    user = matrix.users[user_key]
    assert scoping.actionable(user, Branch, role).exists() is expected


def test_a_role_on_one_side_grants_nothing_on_the_other(matrix):
    assert not scoping.actionable(matrix.users["gb_head"], Branch, Role.PREPARER).exists()
    assert not scoping.actionable(matrix.users["bank_b"], Office, Role.VIEWER).exists()


def test_a_higher_role_elsewhere_does_not_widen_where_a_lower_one_holds(matrix):
    m = matrix
    user = f.member(Role.HEAD, office=m.county_a)
    Membership.objects.create(user=user, role=Role.VIEWER, office=m.p2)
    assert codes(scoping.actionable(user, Office, Role.REVIEWER)) == {m.county_a.code}
    assert m.p2.code in codes(scoping.visible(user, Office))


def test_an_unregistered_model_shows_nothing_even_to_the_top(matrix):
    gb_head = matrix.users["gb_head"]
    assert Membership not in scoping.registered_models()
    assert Membership.objects.exists()
    assert not scoping.visible(gb_head, Membership).exists()
    assert not scoping.actionable(gb_head, Membership, Role.VIEWER).exists()


def test_owned_rows_are_visible_to_their_owner_only_and_never_actionable_by_role(
    matrix, monkeypatch
):
    m = matrix
    # Complaints will hang on their owner like this; memberships stand in for them here.
    monkeypatch.setitem(scoping._RULES, Membership, scoping.Rule(owner=scoping.owned_by("user")))
    bank_a = m.users["bank_a"]
    mine = scoping.visible(bank_a, Membership)
    assert list(mine.values_list("user_id", "institution_id")) == [(bank_a.pk, m.bank_a.pk)]
    assert not scoping.visible(m.users["owner_b"], Membership).exists()
    assert not scoping.actionable(bank_a, Membership, Role.PREPARER).exists()


def test_get_visible_or_404_returns_rows_in_scope(matrix):
    m = matrix
    assert scoping.get_visible_or_404(m.users["branch_a2"], Branch, pk=m.branch_a2.pk) == (
        m.branch_a2
    )
    assert scoping.get_visible_or_404(m.users["county_a"], Office, code=m.county_a.code) == (
        m.county_a
    )


@pytest.mark.parametrize(
    ("user_key", "model", "lookup"),
    [
        ("branch_a2", Branch, lambda m: {"pk": m.branch_a1.pk}),
        ("bank_b", Institution, lambda m: {"pk": m.bank_a.pk}),
        ("p2_head", Office, lambda m: {"code": m.p1.code}),
        ("county_a", Office, lambda m: {"code": m.city1.code}),  # its parent
        ("owner_a", Institution, lambda m: {"pk": m.bank_a.pk}),
        ("p1_head", Branch, lambda m: {"pk": "not-a-number"}),
        ("p1_head", Branch, lambda m: {"pk": 10**9}),
    ],
)
def test_get_visible_or_404_raises_404_out_of_scope(matrix, user_key, model, lookup):
    with pytest.raises(Http404):
        scoping.get_visible_or_404(matrix.users[user_key], model, **lookup(matrix))


# -- one row: may_act and locked_for --------------------------------------------------------


@pytest.mark.parametrize(
    ("user_key", "target", "role", "expected"),
    [
        ("p1_head", "county_a", Role.REVIEWER, True),  # in scope; a higher role counts
        ("county_a", "county_a", Role.VIEWER, True),
        ("county_a", "county_a", Role.REVIEWER, False),  # in scope, but the wrong role
        ("p2_head", "county_a", Role.REVIEWER, False),  # an outsider with the role
        ("county_a", "city1", Role.VIEWER, False),  # its parent: above it, not under it
        ("bank_a", "county_a", Role.PREPARER, False),  # the other side of the tree
    ],
)
def test_may_act_on_an_office(matrix, user_key, target, role, expected):
    assert scoping.may_act(matrix.users[user_key], getattr(matrix, target), role) is expected


@pytest.mark.parametrize(
    ("user_key", "target", "role", "expected"),
    [
        ("bank_a", "branch_a1", Role.PREPARER, True),  # the institution reaches its branches
        ("branch_a1", "branch_a1", Role.PREPARER, True),
        ("branch_a1", "branch_a2", Role.PREPARER, False),  # a sibling branch
        ("bank_a", "branch_a1", Role.APPROVER, False),
        ("bank_b", "branch_a1", Role.PREPARER, False),
        ("gb_head", "branch_a1", Role.PREPARER, False),  # an office holds no bank role
    ],
)
def test_may_act_on_a_branch(matrix, user_key, target, role, expected):
    assert scoping.may_act(matrix.users[user_key], getattr(matrix, target), role) is expected


def test_may_act_says_what_actionable_lists(matrix):
    """The one-row answer and the list never disagree, whoever asks in whatever role."""
    rows = [*Office.objects.all(), *Branch.objects.all()]
    for user in matrix.users.values():
        for role in Role.values:
            for row in rows:
                listed = scoping.actionable(user, type(row), role).filter(pk=row.pk).exists()
                assert scoping.may_act(user, row, role) is listed, (user, role, row)


def test_an_anonymous_user_may_act_on_nothing(matrix):
    assert not scoping.may_act(AnonymousUser(), matrix.gb, Role.VIEWER)


def test_locked_for_gives_the_row_afresh_to_a_user_in_scope(matrix):
    m = matrix
    stale = Branch.objects.get(pk=m.branch_a1.pk)
    Branch.objects.filter(pk=stale.pk).update(name_en="Renamed under our feet")
    with transaction.atomic():
        row = scoping.locked_for(
            m.users["branch_a1"],
            Branch.objects.select_related("institution"),
            Role.PREPARER,
            stale.pk,
        )
    assert row == stale and row.name_en == "Renamed under our feet"
    assert "institution" in row._state.fields_cache  # the queryset's joins are kept


@pytest.mark.parametrize(
    ("user_key", "role"),
    [
        ("branch_a2", Role.PREPARER),  # an outsider: a sibling branch
        ("bank_b", Role.APPROVER),  # another bank
        ("branch_a1", Role.APPROVER),  # in scope, the wrong role
        ("p1_head", Role.PREPARER),  # an office over it, on the wrong side
    ],
)
def test_locked_for_refuses_as_the_services_did(matrix, user_key, role):
    with transaction.atomic(), pytest.raises(PermissionDenied):
        scoping.locked_for(matrix.users[user_key], Branch, role, matrix.branch_a1.pk)


def test_may_see_agrees_with_the_visible_rows(matrix):
    """A service's yes/no and the page's list never disagree: for every matrix user and
    office, may_see is exactly membership of visible."""
    offices = list(Office.objects.all())
    for key, user in matrix.users.items():
        seen = set(scoping.visible(user, Office).values_list("pk", flat=True))
        for office in offices:
            assert scoping.may_see(user, office) is (office.pk in seen), (key, office.code)
