"""The public side of the demo: a published case, one awaiting its head, this quarter's
release; loading twice adds no case."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portal.demo import load_demo as load_portal_demo
from reporting import periods
from supervision.complaints.demo import load_demo as load_complaints_demo
from supervision.publication.demo import load_demo
from supervision.publication.models import CaseStatus, StatisticsRelease, TypicalCase

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime(2026, 5, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
def test_demo_publishes_a_case_and_this_quarters_statistics(client):
    load_portal_demo()
    load_complaints_demo()
    load_demo()
    load_demo()
    statuses = sorted(TypicalCase.objects.values_list("status", flat=True))
    assert statuses == [CaseStatus.DRAFT, CaseStatus.PUBLISHED]
    quarter = periods.quarter_of(timezone.localdate())
    release = StatisticsRelease.objects.get(quarter=quarter)
    whole = release.tables["complaints-by-category"][-1]
    assert (whole["name_en"], whole["complaints"]) == ("Nationwide", 11)
    assert client.get(reverse("public-statistics", args=[quarter])).status_code == 200
    assert (
        "First loans for listed enterprises" in client.get(reverse("public-cases")).content.decode()
    )
