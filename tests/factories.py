"""Factories for the core models; tests build exactly the rows they need."""

import itertools

import factory

from portal.identifiers import make_credit_code
from portal.models import Branch, Division, Institution, InstitutionKind, Membership, Office, User

_serial = itertools.count(1)

PASSWORD = "a-long-test-password-1"


def credit_code(division: str = "350102") -> str:
    return make_credit_code("91", division, f"T{next(_serial):07d}")


def office(
    code: str,
    name_zh: str,
    parent: Office | None = None,
    level: int | None = None,
    name_en: str = "",
) -> Office:
    """An office in the tree: a root when ``parent`` is None."""
    fields = {
        "code": code,
        "name_zh": name_zh,
        "name_en": name_en or name_zh,
        "level": level or (parent.level + 1 if parent else 1),
    }
    if parent is None:
        made = Office.objects.add_root(fields)
    else:
        parent.refresh_from_db()
        made = Office.objects.add_child(parent, fields)
    Division.objects.get_or_create(
        code=code, defaults={"office": made, "name_zh": name_zh, "name_en": fields["name_en"]}
    )
    return made


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.django.Password(PASSWORD)


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    credit_code = factory.LazyFunction(credit_code)
    name_zh = factory.Sequence(lambda n: f"测试银行{n}")
    name_en = factory.Sequence(lambda n: f"Test Bank {n}")
    kind = InstitutionKind.CITY_COMMERCIAL


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch

    institution = factory.SubFactory(InstitutionFactory)
    credit_code = factory.LazyFunction(credit_code)
    name_zh = factory.Sequence(lambda n: f"测试支行{n}")
    name_en = factory.Sequence(lambda n: f"Test Branch {n}")


def member(role: str, **target) -> User:
    """A new user holding ``role`` at the given office, institution or branch."""
    user = UserFactory()
    Membership.objects.create(user=user, role=role, **target)
    return user
