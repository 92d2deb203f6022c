"""The screening pages: a new task from an uploaded list, the task page's roll-up, actions and
enterprises, one enterprise's history and the overdue list."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portal.models import Role
from supervision.screening import assignment as screening_assignment
from supervision.screening import lists as screening_lists
from supervision.screening import results as screening_results
from supervision.screening.models import Assignment, ScreeningTask
from tests import factories as f
from tests.panels import panel
from tests.supervision.screening_helpers import (
    answer,
    list_row,
    list_workbook,
    matrix_banks_only,
    post_new_task,
    result_row,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def matrix(matrix):
    return matrix_banks_only(matrix)


def test_an_office_creates_a_task_by_uploading_its_list(matrix, client_for, tmp_path):
    client = client_for(matrix.users["p1_head"])
    path = list_workbook(tmp_path / "list.xlsx", [list_row("350102"), list_row("350121")])
    response = post_new_task(
        client,
        matrix.p1,
        "民营企业走访",
        path,
        purpose="摸排融资需求",
        key_areas=["private", "manufacturing"],
    )
    task = ScreeningTask.objects.get(title="民营企业走访")
    assert response.status_code == 302 and response.url == reverse("screening-task", args=[task.pk])
    page = client.get(response.url).content.decode()
    assert "Private enterprises, Manufacturing" in page
    assert "2 enterprises are held by this office and not yet assigned." in page


def test_a_list_with_errors_is_shown_back_and_no_task_is_made(matrix, client_for, tmp_path):
    client = client_for(matrix.users["p1_head"])
    path = list_workbook(tmp_path / "bad.xlsx", [list_row("999999")])
    response = post_new_task(client, matrix.p1, "错误清单", path)
    assert response.status_code == 200
    assert "999999" in response.content.decode()
    assert not ScreeningTask.objects.filter(title="错误清单").exists()


def test_only_reviewers_and_heads_may_create_tasks(matrix, client_for):
    assert (
        client_for(matrix.users["county_a"]).get(reverse("screening-task-create")).status_code
        == 404
    )
    assert (
        client_for(matrix.users["bank_a"]).get(reverse("screening-task-create")).status_code == 404
    )


def test_the_task_page_rolls_up_by_child_office_and_drills_down(matrix, client_for, tmp_path):
    task = matrix.screening_task_p1
    head = matrix.users["p1_head"]
    code = sorted(task.enterprises.filter(county="350102").values_list("credit_code", flat=True))
    answer(
        Assignment.objects.get(task=task, branch=matrix.branch_a1),
        [result_row(code[0]), result_row(code[1], "暂无需求")],
        tmp_path,
        head,
    )
    client = client_for(head)
    url = reverse("screening-task", args=[task.pk])
    page = client.get(url)
    rows = page.context["figures"].rows
    assert [(r.office, r.enterprises, r.granted) for r in rows] == [
        (matrix.county_a, 2, 1),
        (matrix.county_b, 2, 0),
    ]
    assert page.context["figures"].total.granted == 1
    body = page.content.decode()
    assert matrix.county_a.name_zh in body and "138****1234" in body and "13800001234" not in body

    # The list's filters count what the roll-up counted.
    for state, expected in (("granted", 1), ("no_need", 1), ("assigned", 2), ("unassigned", 0)):
        assert client.get(url, {"state": state}).context["page"].paginator.count == expected
    assert client.get(url, {"county": "350121"}).context["page"].paginator.count == 2

    down = client.get(url, {"office": matrix.county_a.code})
    assert down.context["at"] == matrix.county_a
    assert down.context["page"].paginator.count == 2
    assert client.get(url, {"office": matrix.county_c.code}).status_code == 404


def test_a_county_sees_its_part_and_not_its_siblings(matrix, client_for):
    response = client_for(matrix.users["county_a"]).get(
        reverse("screening-task", args=[matrix.screening_task_p1.pk])
    )
    assert response.context["at"] == matrix.county_a
    assert response.context["figures"].total.enterprises == 2
    assert matrix.county_b.name_zh not in response.content.decode()
    # From above the county's own office, the sibling stays out of reach.
    assert (
        client_for(matrix.users["county_a"])
        .get(
            reverse("screening-task", args=[matrix.screening_task_p1.pk]),
            {"office": matrix.county_b.code},
        )
        .status_code
        == 404
    )


def test_the_bank_sees_its_enterprises_with_their_contacts(matrix, client_for):
    response = client_for(matrix.users["branch_a1"]).get(
        reverse("screening-task", args=[matrix.screening_task_p1.pk])
    )
    assert response.context["page"].paginator.count == 2
    body = response.content.decode()
    assert "13800001234" in body and "张晓明" in body
    assert matrix.screening_code_b not in body


def test_an_office_passes_the_work_on_from_the_page(matrix, client_for):
    head = matrix.users["p1_head"]
    task = f.screening_task(head, matrix.city1, {"350102": 2, "350121": 1})
    client = client_for(head)
    url = reverse("screening-task", args=[task.pk])
    response = client.post(url, {"action": "delegate_by_county"}, follow=True)
    assert "Delegated 3 enterprises to 2 offices." in response.content.decode()
    response = client.post(
        f"{url}?office={matrix.county_a.code}",
        {"action": "auto_assign", "rule": "round_robin"},
        follow=True,
    )
    assert "Assigned 2 enterprises to 1 banks." in response.content.decode()
    assert task.enterprises.filter(assignment__branch=matrix.branch_a1).count() == 2
    response = client.post(
        f"{url}?office={matrix.county_b.code}",
        {"action": "assign", "filer": f"b:{matrix.branch_a2.pk}", "counties": "350121"},
        follow=True,
    )
    assert "Assigned 1 enterprises." in response.content.decode()


def test_a_viewer_cannot_act_on_a_task(matrix, client_for):
    viewer = f.member(Role.VIEWER, office=matrix.city1)
    task = f.screening_task(matrix.users["p1_head"], matrix.city1, {"350102": 1})
    response = client_for(viewer).post(
        reverse("screening-task", args=[task.pk]), {"action": "delegate_by_county"}
    )
    assert response.status_code == 404
    assert task.enterprises.get().holder == matrix.city1


def test_an_enterprise_history_shows_every_task_and_answer_in_scope(matrix, client_for, tmp_path):
    head = matrix.users["p1_head"]
    code = matrix.screening_code_a
    answer(
        Assignment.objects.get(task=matrix.screening_task_p1, branch=matrix.branch_a1),
        [result_row(code, "不予授信", decline_reason="负债过高")],
        tmp_path,
        head,
    )
    response = client_for(matrix.users["county_a"]).get(
        reverse("screening-enterprise", args=[code])
    )
    body = response.content.decode()
    assert matrix.screening_task_p1.title in body
    assert "over-indebted" in body and matrix.branch_a1.name_en in body
    lookup = client_for(head).get(reverse("screening-enterprise-lookup"), {"code": code.lower()})
    assert lookup.url == reverse("screening-enterprise", args=[code])


def test_the_overdue_list_names_the_office_and_the_bank(matrix, client_for):
    head = matrix.users["p1_head"]
    task = f.screening_task(
        head, matrix.county_a, {"350102": 2}, deadline=timezone.localdate() + timedelta(days=3)
    )
    screening_assignment.auto_assign(head, task, matrix.county_a)
    client = client_for(matrix.users["county_a"])
    assert client.get(reverse("screening-overdue")).context["page"].paginator.count == 0
    with time_machine.travel(timezone.now() + timedelta(days=10)):
        client = client_for(matrix.users["county_a"])  # a new session: the old one expired
        response = client.get(reverse("screening-overdue"))
        late = list(response.context["page"])
        assert [(a.task, a.branch, a.days_overdue) for a in late] == [(task, matrix.branch_a1, 7)]
        assert (
            (
                client_for(matrix.users["county_b"])
                .get(reverse("screening-overdue"))
                .context["page"]
            ).paginator.count
            == 0
        )


def test_rows_pasted_from_the_template_make_a_task(matrix, client_for):
    keys = screening_lists.LIST_SPEC.column_keys
    lines = ["\t".join(str(list_row(county)[k]) for k in keys) for county in ("350102", "350121")]
    client = client_for(matrix.users["p1_head"])
    response = post_new_task(client, matrix.p1, "粘贴清单", rows="\n".join(lines))
    assert response.status_code == 302
    assert ScreeningTask.objects.get(title="粘贴清单").enterprise_count == 2


def test_a_bank_types_its_answers_for_a_handful_of_enterprises(matrix, client_for):
    from reporting import filings, pipeline
    from reporting.models import Filing, FilingStatus

    assignment = matrix.screening_assignment_a1
    first, second = assignment.enterprises.order_by("credit_code")
    client = client_for(matrix.users["branch_a1"])
    url = reverse("screening-assignment", args=[assignment.pk])
    page = client.get(url)
    assert "13800001234" in page.content.decode()
    today = timezone.localdate().isoformat()
    response = client.post(
        url,
        {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "2",
            "form-0-credit_code": first.credit_code,
            "form-0-decision": "granted",
            "form-0-contact_date": today,
            "form-0-credit_amount": "80",
            "form-0-loan_amount": "60",
            "form-0-loan_date": today,
            "form-0-rate": "3.45",
            "form-0-first_time": "on",
            "form-1-credit_code": second.credit_code,
            "form-1-decision": "declined",
            "form-1-contact_date": today,
            "form-1-decline_reason": "no_repayment",
        },
    )
    filing = Filing.objects.get(request=assignment.request)
    assert response.url == reverse("filing-detail", args=[filing.pk])
    pipeline.run(filing.pk)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.VALID and filing.row_count == 2
    approver = f.member(Role.APPROVER, branch=matrix.branch_a1)
    filings.filing_sign(approver, filing, {})
    filings.filing_accept(matrix.users["p1_head"], filing)
    screening_results.record_results(filing.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.decision, first.credit_amount, first.first_time) == ("granted", 80, True)
    assert (second.decision, second.decline_reason) == ("declined", "no_repayment")


def test_a_regulator_reads_an_assignment_but_does_not_answer_it(matrix, client_for):
    url = reverse("screening-assignment", args=[matrix.screening_assignment_a1.pk])
    client = client_for(matrix.users["county_a"])
    page = client.get(url)
    assert page.context["formset"] is None
    assert "138****1234" in page.content.decode()
    assert client.post(url, {}).status_code == 404


def test_the_bank_downloads_its_result_workbook_with_its_enterprises(matrix, client_for, tmp_path):
    from reporting.reader import read_return

    assignment = matrix.screening_assignment_a1
    response = client_for(matrix.users["branch_a1"]).get(
        reverse("screening-assignment-workbook", args=[assignment.pk])
    )
    path = tmp_path / "results.xlsx"
    path.write_bytes(response.content)
    table = read_return(path, screening_results.RESULT_SPEC)
    assert sorted(table.frame["credit_code"]) == sorted(
        assignment.enterprises.values_list("credit_code", flat=True)
    )


def test_the_api_gives_the_bank_its_enterprises_and_masks_them_for_regulators(matrix, client_for):
    assignment = matrix.screening_assignment_a1
    url = reverse("api:screening-assignment-enterprises", args=[assignment.pk])
    mine = client_for(matrix.users["branch_a1"]).get(url).json()
    assert mine["count"] == 2
    assert {row["phone"] for row in mine["results"]} == {"13800001234"}
    seen = client_for(matrix.users["county_a"]).get(url).json()
    assert {row["phone"] for row in seen["results"]} == {"138****1234"}
    listed = client_for(matrix.users["bank_b"]).get(reverse("api:screening-enterprise-list"))
    assert [row["credit_code"] for row in listed.json()["results"]] == [matrix.screening_code_c]


def test_the_assignment_says_what_happens_next_until_it_is_answered(matrix, client_for):
    assignment = matrix.screening_assignment_a1
    page = client_for(matrix.users["branch_a1"]).get(
        reverse("screening-assignment", args=[assignment.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert panel(page, "next-steps") == (
        f"接下来会怎样 银行逐户对接企业，并在 {assignment.due_date:%Y-%m-%d} 前"
        "通过结果报表报送反馈；派发机构跟踪进度。"
    )
