"""Migration 0014 rewrites the quarter of stored substantive-complaint causes ("2026-q1") to
the one label every quarter has ("2026Q1"), so that none is raised a second time; and back."""

from importlib import import_module

import pytest
from django.apps import apps

from supervision.escalation import raising
from supervision.escalation.models import CaseCause
from tests import factories as f

pytestmark = pytest.mark.django_db
migration = import_module("supervision.migrations.0014_quarter_labels")


def test_substantive_causes_take_the_new_quarter_label_and_give_it_back(matrix):
    kind = "substantive-complaints"
    old = f"substantive:{matrix.bank_a.pk}:2026-q1"
    summary = "2026-q1 有效投诉 3 件 / 3 substantive complaints in 2026-q1"
    raising.escalation_raise(f.cause(matrix.bank_a, kind=kind, key=old, summary=summary))
    CaseCause.objects.filter(key=old).update(details={"quarter": "2026-q1", "count": 3})
    other = raising.escalation_raise(f.cause(matrix.bank_b, key="low-grade:2026-q1"))

    migration.forwards(apps, None)
    moved = CaseCause.objects.get(kind=kind)
    assert moved.key == f"substantive:{matrix.bank_a.pk}:2026Q1"
    assert moved.details == {"quarter": "2026Q1", "count": 3}
    assert moved.summary == "2026Q1 有效投诉 3 件 / 3 substantive complaints in 2026Q1"
    assert other.causes.get().key == "low-grade:2026-q1"  # other causes keep their keys

    migration.backwards(apps, None)
    assert CaseCause.objects.get(kind=kind).key == old
