"""Building the supervision structure in bulk: offices (with their tree paths), divisions,
institutions and branches. Loaders, the demo and the national seed all go through here."""

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from portal.division_names import english_names
from portal.divisions import covering, gbt2260, own_name
from portal.models import Branch, Division, Institution, Office

_ALPHABET = Office.alphabet


@dataclass(frozen=True)
class OfficeRow:
    code: str
    name_zh: str
    name_en: str
    level: int
    parent_code: str | None


@dataclass(frozen=True)
class InstitutionRow:
    credit_code: str
    name_zh: str
    name_en: str
    kind: str
    office_code: str
    licence_code: str = ""
    bank_code: str = ""


@dataclass(frozen=True)
class BranchRow:
    credit_code: str
    name_zh: str
    name_en: str
    institution_credit_code: str
    office_code: str
    licence_code: str = ""


def _step(number: int) -> str:
    digits = ""
    while number:
        number, rem = divmod(number, len(_ALPHABET))
        digits = _ALPHABET[rem] + digits
    return digits.rjust(Office.steplen, "0")


def _step_number(step: str) -> int:
    value = 0
    for ch in step:
        value = value * len(_ALPHABET) + _ALPHABET.index(ch)
    return value


@transaction.atomic
def save_offices(rows: list[OfficeRow]) -> tuple[int, int]:
    """Create new offices and rename existing ones; parents must come before their children
    in ``rows`` or exist already. Returns (created, updated)."""
    existing = {o.code: o for o in Office.objects.all()}
    next_child: dict[str, int] = defaultdict(int)
    for office in existing.values():
        parent_path = office.path[: -Office.steplen]
        number = _step_number(office.path[-Office.steplen :])
        next_child[parent_path] = max(next_child[parent_path], number)

    created: list[Office] = []
    updated: list[Office] = []
    paths: dict[str, str] = {code: o.path for code, o in existing.items()}
    for row in rows:
        if row.code in existing:
            office = existing[row.code]
            office.name_zh, office.name_en, office.level = row.name_zh, row.name_en, row.level
            updated.append(office)
            continue
        parent_path = paths[row.parent_code] if row.parent_code else ""
        next_child[parent_path] += 1
        path = parent_path + _step(next_child[parent_path])
        paths[row.code] = path
        created.append(
            Office(
                code=row.code,
                name_zh=row.name_zh,
                name_en=row.name_en,
                level=row.level,
                path=path,
                depth=len(path) // Office.steplen,
                numchild=0,
            )
        )
    Office.objects.bulk_create(created, batch_size=2000)
    Office.objects.bulk_update(updated, ["name_zh", "name_en", "level"], batch_size=2000)
    _recount_children()
    Division.objects.bulk_create(
        [_division(o) for o in Office.objects.filter(code__in=[o.code for o in created])],
        batch_size=2000,
        ignore_conflicts=True,
    )
    return len(created), len(updated)


def _division(office: Office) -> Division:
    """An office's own division, by its GB/T 2260 name (鼓楼区, not the office's 鼓楼监管支局)
    and its English one (Gulou District); a code the list lacks keeps the office's names."""
    name = own_name(office.code, "")
    if name:
        english = english_names()[office.code]
        return Division(code=office.code, name_zh=name, name_en=english, office=office)
    return Division(code=office.code, name_zh=office.name_zh, name_en=office.name_en, office=office)


def save_divisions(province_codes: list[str] | None = None) -> int:
    """The GB/T 2260 divisions of the provinces in the tree (or of ``province_codes``) that
    are not in the table yet, each covered by its own office, else its prefecture's, else its
    province's; returns how many were added."""
    offices = dict(Office.objects.values_list("code", "pk"))
    office_codes = set(offices)
    known = set(Division.objects.values_list("code", flat=True))
    wanted = {c[:2] for c in province_codes or office_codes}
    added = [
        Division(code=code, name_zh=name, name_en=english_names()[code], office_id=offices[cover])
        for code, name in gbt2260().items()
        if code[:2] in wanted
        and code not in known
        and (cover := covering(code, office_codes)) is not None
    ]
    Division.objects.bulk_create(added, batch_size=2000, ignore_conflicts=True)
    return len(added)


def _recount_children() -> None:
    counts: dict[str, int] = defaultdict(int)
    offices = list(Office.objects.only("id", "path", "numchild"))
    for office in offices:
        counts[office.path[: -Office.steplen]] += 1
    changed = [o for o in offices if o.numchild != counts.get(o.path, 0)]
    for office in changed:
        office.numchild = counts.get(office.path, 0)
    Office.objects.bulk_update(changed, ["numchild"], batch_size=2000)


@transaction.atomic
def save_institutions(
    institutions: list[InstitutionRow], branches: list[BranchRow]
) -> tuple[int, int]:
    """Upsert legal entities and branches by credit code. Returns (institutions, branches)."""
    offices = dict(Office.objects.values_list("code", "id"))
    Institution.objects.bulk_create(
        [
            Institution(
                credit_code=r.credit_code,
                name_zh=r.name_zh,
                name_en=r.name_en,
                kind=r.kind,
                licence_code=r.licence_code,
                bank_code=r.bank_code,
                office_id=offices[r.office_code],
            )
            for r in institutions
        ],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["credit_code"],
        update_fields=["name_zh", "name_en", "kind", "licence_code", "bank_code", "office"],
    )
    entity_ids = dict(
        Institution.objects.filter(
            credit_code__in={r.institution_credit_code for r in branches}
        ).values_list("credit_code", "id")
    )
    Branch.objects.bulk_create(
        [
            Branch(
                credit_code=r.credit_code,
                name_zh=r.name_zh,
                name_en=r.name_en,
                institution_id=entity_ids[r.institution_credit_code],
                licence_code=r.licence_code,
                office_id=offices[r.office_code],
            )
            for r in branches
        ],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["credit_code"],
        update_fields=["name_zh", "name_en", "institution", "licence_code", "office"],
    )
    return len(institutions), len(branches)
