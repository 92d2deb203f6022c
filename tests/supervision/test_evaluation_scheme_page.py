"""A scheme's page shows every threshold with where it comes from, and the order in which the
loan-growth indicator's steps are checked, to anyone signed in."""

import pytest
from django.urls import reverse

from portal.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("version", ["2023", "2025"])
def test_the_scheme_page_labels_each_threshold_with_its_source(version, client_for):
    bank = f.InstitutionFactory(office=f.office("350000", "甲省局"))
    client = client_for(f.member(Role.PREPARER, institution=bank))
    page = client.get(reverse("evaluation-scheme", args=[version])).content.decode()
    assert "The 2020 evaluation method: grade 1 from 90" in page
    assert "portal default, configurable" in page
    assert "the usual supervisory tolerance of 3 percentage points" in page
    assert "keep rising (not below the previous year-end)" in page  # the shares' source
    cs1 = page[page.index('data-code="CS1"') : page.index('data-code="CS2"')]
    met = cs1.index("1. full points when the target is met or when it meets the growth target")
    plan = cs1.index("2. points in proportion to the target if the annual SME credit plan is met")
    fell = cs1.index("3. -4 points when the SME loan balance fell two years running")
    assert met < plan < fell
    assert "Closer supervision" in page and "A supervisory talk with the principal officer" in page


def test_an_unknown_scheme_is_not_found(client_for):
    client = client_for(f.member(Role.VIEWER, office=f.office("000000", "总局")))
    assert client.get(reverse("evaluation-scheme", args=["1999"])).status_code == 404
