"""Whose evaluation results a user reads (supervision/evaluation/selectors.results_shown): an
office every one under it in every state, a bank its own once notified; the scorecard, the
ranking, its workbook and the API give the same answer."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from portal.models import Membership, Role
from supervision.evaluation import selectors
from supervision.evaluation.models import EvaluationStatus
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluations(matrix):
    """Each bank's notified 2025 result (the matrix's) and a 2024 one still in review."""
    return {
        "a notified": matrix.evaluation_a,
        "b notified": matrix.evaluation_b,
        "a in review": f.scored_evaluation(matrix.bank_a, "2024", EvaluationStatus.REVIEW),
        "b in review": f.scored_evaluation(matrix.bank_b, "2024", EvaluationStatus.REVIEW),
    }


def _both_sides(matrix):
    """A viewer at the other province's bureau who is also a preparer at bank A."""
    user = f.member(Role.VIEWER, office=matrix.p2)
    Membership.objects.create(user=user, role=Role.PREPARER, institution=matrix.bank_a)
    return user


def _reader(matrix, who: str):
    return _both_sides(matrix) if who == "both sides" else matrix.users[who]


CASES = [
    ("p1_head", {"a notified", "a in review"}),  # bank A's province: every state
    ("gb_head", {"a notified", "b notified", "a in review", "b in review"}),
    ("bank_a", {"a notified"}),  # its own, once notified
    ("branch_a1", set()),  # the institution is evaluated, not its branches
    ("bank_b", {"b notified"}),
    ("owner_a", set()),
    # The office side reads bank B's in review; the bank side waits for its own notice.
    ("both sides", {"a notified", "b notified", "b in review"}),
]


@pytest.mark.parametrize(("who", "expected"), CASES)
def test_results_shown(matrix, evaluations, who, expected):
    user = _reader(matrix, who)
    shown = set(selectors.results_shown(user).values_list("pk", flat=True))
    assert shown == {evaluations[name].pk for name in expected}
    for name, evaluation in evaluations.items():
        assert selectors.results_hidden(user, evaluation) is (name not in expected)


@pytest.mark.parametrize(("who", "expected"), CASES)
def test_the_pages_the_workbooks_and_the_api_agree(matrix, evaluations, client_for, who, expected):
    client = client_for(_reader(matrix, who))
    api = set()
    for period in ("2024", "2025"):
        response = client.get(reverse("api:evaluation-list"), {"period": period})
        if response.status_code == 200:
            api |= {row["id"] for row in response.json()["results"]}
    assert api == {evaluations[name].pk for name in expected}

    for name, evaluation in evaluations.items():
        shown = name in expected
        detail = client.get(reverse("api:evaluation-detail", args=[evaluation.pk]))
        assert (detail.status_code == 200) is shown, name
        workbook = client.get(reverse("evaluation-xlsx", args=[evaluation.pk]))
        assert (workbook.status_code == 200) is shown, name
        page = client.get(reverse("evaluation-detail", args=[evaluation.pk]))
        if page.status_code == 200:  # seen: the self-assessment, the scores hidden or not
            assert page.context["scores_hidden"] is not shown, name
        else:
            assert page.status_code == 404 and not shown, name


def test_the_ranking_and_its_workbook_show_only_the_results_shown(matrix, evaluations, client_for):
    client = client_for(_both_sides(matrix))
    page = client.get(reverse("evaluation-ranking"), {"period": "2024"})
    assert {e.pk for e in page.context["page"]} == {evaluations["b in review"].pk}
    assert page.context["results_shown"] == {evaluations["b in review"].pk}
    response = client.get(reverse("evaluation-ranking-xlsx"), {"period": "2024"})
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    names = {cell for row in book.active.iter_rows(values_only=True) for cell in row}
    assert matrix.bank_b.name_zh in names and matrix.bank_a.name_zh not in names


def test_a_bank_lists_every_evaluation_but_reads_only_the_notified_totals(
    matrix, evaluations, client_for
):
    page = client_for(matrix.users["bank_a"]).get(reverse("evaluation-ranking"))
    listed = {e.pk for e in page.context["page"]}
    assert listed == {evaluations["a notified"].pk, evaluations["a in review"].pk}
    assert page.context["results_shown"] == {evaluations["a notified"].pk}


def test_reviewers_points_are_for_the_supervising_offices(client, matrix, evaluations):
    """A bank officer who is also a regulator in another province reads their own bank's
    scorecard as the bank does, without the reviewer's column; bank A's province has it."""
    url = reverse("evaluation-detail", args=[evaluations["a notified"].pk])
    client.force_login(_both_sides(matrix))
    page = client.get(url).content.decode()
    assert "Reviewer&#x27;s points" not in page and "Reviewer's points" not in page
    client.force_login(matrix.users["p1_head"])
    page = client.get(url).content.decode()
    assert "Reviewer&#x27;s points" in page or "Reviewer's points" in page
