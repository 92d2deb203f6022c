"""Two reviewers accepting two versions of one return: one version is accepted, the other
reviewer is told why not, never a server error."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.urls import reverse
from django.utils import translation

from portal.models import Role
from reporting import filings
from reporting.models import Filing, FilingStatus
from tests import factories as f

SUPERSEDED = "Version 2 of this return has been accepted"
NEWER_WAITING = "Version 2 of this return, newer than this one, is signed"


def _two_submitted(matrix, period: str = "2025Q3") -> tuple[Filing, Filing]:
    request = f.ReturnRequestFactory(institution=matrix.bank_a, period=period)
    first = f.FilingFactory(request=request, status=FilingStatus.SUBMITTED)
    second = f.FilingFactory(request=request, status=FilingStatus.SUBMITTED)
    assert (first.version, second.version) == (1, 2)
    return first, second


@pytest.mark.django_db
def test_an_older_version_is_refused_once_a_newer_one_is_accepted(matrix):
    first, second = _two_submitted(matrix)
    reviewer = matrix.users["p1_head"]
    filings.filing_accept(reviewer, second)

    with translation.override("en"), pytest.raises(ValidationError, match=SUPERSEDED):
        filings.filing_accept(reviewer, first)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == FilingStatus.SUBMITTED and not first.is_current
    assert second.status == FilingStatus.ACCEPTED and second.is_current


@pytest.mark.django_db
def test_an_older_version_waits_for_the_newer_one_signed_after_it(matrix):
    first, _ = _two_submitted(matrix)

    with translation.override("en"), pytest.raises(ValidationError, match=NEWER_WAITING):
        filings.filing_accept(matrix.users["p1_head"], first)


@pytest.mark.django_db
def test_the_reviewer_of_the_superseded_version_reads_why_on_the_page(client_for, matrix):
    first, second = _two_submitted(matrix)
    filings.filing_accept(matrix.users["p1_head"], second)
    reviewer = f.member(Role.REVIEWER, office=matrix.p1)

    response = client_for(reviewer).post(
        reverse("filing-detail", args=[first.pk]), {"action": "decide", "decision": "accept"}
    )

    assert response.status_code == 200
    assert SUPERSEDED in response.content.decode()


@pytest.mark.django_db
def test_a_newer_version_replaces_the_accepted_one(matrix):
    first, second = _two_submitted(matrix)
    first.status = FilingStatus.ACCEPTED
    first.is_current = True
    first.save()

    filings.filing_accept(matrix.users["p1_head"], second)

    first.refresh_from_db()
    assert first.status == FilingStatus.ACCEPTED and not first.is_current
    assert Filing.objects.get(pk=second.pk).is_current


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_of_two_versions_end_with_one(matrix):
    reviewers = [matrix.users["p1_head"], f.member(Role.REVIEWER, office=matrix.p1)]
    for period in ("2025Q1", "2025Q2", "2025Q3"):
        pair = _two_submitted(matrix, period)
        start = threading.Barrier(2)
        outcomes: list[object] = [None, None]

        def accept(index: int, pair=pair, start=start, outcomes=outcomes) -> None:
            try:
                start.wait()
                filings.filing_accept(reviewers[index], pair[index])
                outcomes[index] = "accepted"
            except Exception as exc:  # the test reports what each thread met
                outcomes[index] = exc
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=accept, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert outcomes[1] == "accepted", outcomes
        assert isinstance(outcomes[0], ValidationError), outcomes
        statuses = [Filing.objects.get(pk=filing.pk).status for filing in pair]
        assert statuses == [FilingStatus.SUBMITTED, FilingStatus.ACCEPTED]
