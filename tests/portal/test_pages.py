"""What every page's frame gives its reader: a menu grouped by task holding only what the role
can use, the current page marked, a skip link, an error summary on a form that came back, help
pages, and a session that can be renewed before it ends."""

import re

import pytest
from django.urls import reverse

from portal.templatetags import status

pytestmark = pytest.mark.django_db


def _menu(client, path: str = "/") -> dict[str, list[str]]:
    """The main menu's groups: label -> the labels of their links."""
    page = client.get(path).content.decode()
    nav = page.split('id="mainnav"')[1].split("</nav>")[0]
    groups = re.findall(r'menu-group-button"[^>]*>([^<]+)</button>(.*?)</ul>', nav, re.S)
    return {
        label.strip(): [text.strip() for text in re.findall(r"<a [^>]+>([^<]+)</a>", links)]
        for label, links in groups
    }


def _current(client, path: str) -> list[str]:
    nav = client.get(path).content.decode().split('id="mainnav"')[1].split("</nav>")[0]
    return re.findall(r'<a href="([^"]+)" aria-current="page">', nav)


def test_a_regulator_head_sees_the_menu_grouped_by_task(matrix, client_for):
    menu = _menu(client_for(matrix.users["p1_head"]))
    assert list(menu) == [
        "Returns",
        "Supervision",
        "Complaints",
        "Analysis",
        "Administration",
        "Help",
    ]
    assert "Review queue" in menu["Returns"]
    assert "Escalation rules" in menu["Administration"]
    # The API is for the banks' systems.
    assert not any("API" in label for labels in menu.values() for label in labels)


def test_a_viewer_is_not_offered_the_review_queue_nor_the_rules(matrix, client_for):
    menu = _menu(client_for(matrix.users["county_a"]))
    assert "Review queue" not in menu["Returns"]
    assert "Escalation rules" not in menu["Administration"]


def test_a_bank_officer_sees_the_bank_menu_with_the_api(matrix, client_for):
    menu = _menu(client_for(matrix.users["bank_a"]))
    assert list(menu) == ["Returns", "Supervision", "Complaints", "Administration", "Help"]
    assert menu["Returns"][0] == "My returns"
    assert "API documentation" in menu["Administration"]
    assert "Offices" not in menu["Supervision"]


def test_an_sme_owner_sees_only_complaints_and_help(matrix, client_for):
    menu = _menu(client_for(matrix.users["owner_a"]))
    assert menu == {
        "Complaints": ["My complaints", "File a complaint"],
        "Help": ["Help for my role", "Glossary", "Accessibility"],
    }


def test_the_menu_marks_the_page_shown_and_the_list_above_a_detail_page(matrix, client_for):
    client = client_for(matrix.users["p1_head"])
    assert _current(client, "/") == ["/"]
    assert _current(client, reverse("review-queue")) == [reverse("review-queue")]
    detail = reverse("request-detail", kwargs={"pk": matrix.request_a.pk})
    assert _current(client, detail) == [reverse("request-list")]


def test_every_page_starts_with_a_skip_link_to_the_main_content(matrix, client_for):
    page = client_for(matrix.users["bank_a"]).get("/").content.decode()
    body = page.split("<body>")[1]
    assert body.lstrip().startswith('<a class="skip-link" href="#main">')
    assert '<main id="main" tabindex="-1">' in page


def test_the_page_links_its_icon_and_the_help_pages(client):
    page = client.get(reverse("login")).content.decode()
    assert 'rel="icon"' in page
    for name in ("help", "glossary", "accessibility"):
        assert f'href="{reverse(name)}"' in page


@pytest.mark.parametrize(
    "user_key, heading",
    [
        ("p1_head", "Help for regulators"),
        ("bank_a", "Help for bank officers"),
        ("owner_a", "Help for enterprise owners"),
    ],
)
def test_help_speaks_to_the_readers_role(matrix, client_for, user_key, heading):
    page = client_for(matrix.users[user_key]).get(reverse("help")).content.decode()
    assert f"<h1>{heading}</h1>" in page


def test_the_glossary_names_each_term_in_both_languages_and_explains_it_in_the_readers(client):
    page = client.get(reverse("glossary"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="first-time-borrower"' in page
    assert "首贷户" in page and "First-time borrower" in page
    assert "本年度首次从银行获得贷款的企业" in page


TERM_PAGES = {
    # page: (reader, its address, a term it uses, the term's Chinese and English names)
    "dashboard": (
        "p1_head",
        lambda m: reverse("dashboard", kwargs={"code": m.p1.code}),
        ("first-time-borrower", "首贷户", "First-time borrower"),
    ),
    "return request": (
        "bank_a",
        lambda m: reverse("request-detail", args=[m.request_a.pk]),
        ("receipt", "回执", "Receipt"),
    ),
    "complaint form": (
        "owner_a",
        lambda m: reverse("complaint-file"),
        ("credit-code", "统一社会信用代码", "Unified social credit code"),
    ),
    "screening assignment": (
        "branch_a1",
        lambda m: reverse("screening-assignment", args=[m.screening_assignment_a1.pk]),
        ("screening", "走访筛选", "Screening"),
    ),
}


@pytest.mark.parametrize("name", list(TERM_PAGES))
def test_pages_link_the_glossary_entries_of_their_terms_in_the_readers_language(
    matrix, client_for, name
):
    user_key, url, (anchor, zh, en) = TERM_PAGES[name]
    client = client_for(matrix.users[user_key])
    link = f'<a href="{reverse("glossary")}#{anchor}">'
    for language, term in (("zh-hans", zh), ("en", en)):
        page = client.get(url(matrix), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        terms = re.search(r'<p class="terms" data-testid="terms">(.*?)</p>', page)
        assert terms, (name, language)
        assert f"{link}{term}</a>" in terms.group(1), (name, language)
    assert f'id="{anchor}"' in client.get(reverse("glossary")).content.decode()


def test_the_accessibility_statement_opens_without_signing_in(client):
    page = client.get(reverse("accessibility")).content.decode()
    assert "<h1>Accessibility statement</h1>" in page


def test_a_page_says_when_the_session_ends_and_staying_signed_in_renews_it(
    matrix, client_for, settings
):
    client = client_for(matrix.users["bank_a"])
    page = client.get("/").content.decode()
    seconds = int(re.search(r'data-seconds="(\d+)"', page).group(1))
    assert settings.SESSION_COOKIE_AGE - 5 <= seconds <= settings.SESSION_COOKIE_AGE
    assert 'data-warn="120"' in page

    answer = client.post(
        reverse("stay-signed-in"), {"next": "/inbox/"}, HTTP_ACCEPT="application/json"
    )
    assert answer.json()["seconds"] >= settings.SESSION_COOKIE_AGE - 5
    # Without script the form goes back to the page, never to another site.
    assert client.post(reverse("stay-signed-in"), {"next": "/inbox/"}).url == "/inbox/"
    assert client.post(reverse("stay-signed-in"), {"next": "https://evil.example/"}).url == "/"


def test_a_signed_out_page_has_no_session_warning(client):
    assert "session-warning" not in client.get(reverse("login")).content.decode()


def test_an_empty_form_comes_back_with_one_specific_line_per_field_in_a_summary(client):
    page = client.post(reverse("register"), {"email": ""}).content.decode()
    summary = page.split('data-testid="error-summary"')[1].split("</div>")[0]
    lines = re.findall(r'<li><a href="#(id_\w+)">([^<]+)</a></li>', summary)
    assert lines, summary
    messages = [message for _, message in lines]
    assert len(set(messages)) == len(messages)  # each names its field
    assert all(message.startswith("Enter ") for message in messages), messages
    # The field's own error reads as its line in the summary.
    _, message = lines[0]
    assert page.count(message) >= 2


def test_the_error_summary_speaks_the_readers_language(client):
    page = client.post(
        reverse("register"), {"email": ""}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    summary = page.split('data-testid="error-summary"')[1].split("</div>")[0]
    assert "存在问题" in summary
    assert "请填写" in summary
    assert "Enter" not in summary


def test_a_form_with_files_says_they_must_be_chosen_again(matrix, client_for):
    page = client_for(matrix.users["owner_a"]).post(reverse("complaint-file"), {"description": ""})
    summary = page.content.decode().split('data-testid="error-summary"')[1].split("</div>")[0]
    assert "Files are not kept" in summary


def test_a_page_without_a_failed_form_has_no_summary(matrix, client_for):
    page = client_for(matrix.users["p1_head"]).get(reverse("review-queue")).content.decode()
    assert "error-summary" not in page


def test_a_complaints_status_is_a_tag_in_words_and_colour(matrix, client_for):
    complaint = matrix.complaint_owner_a
    page = client_for(matrix.users["owner_a"]).get(reverse("complaint-list")).content.decode()
    tag = re.search(r'<strong class="status-tag (\w*)" data-status="(\w+)">([^<]+)</strong>', page)
    assert tag is not None
    tone, value, words = tag.groups()
    assert value == complaint.status and words == complaint.get_status_display()
    assert tone == status.tone(complaint.status) != ""


def test_an_empty_required_field_is_named_in_the_sentence(client):
    page = client.post(reverse("register"), {"email": ""}).content.decode()
    assert re.search(r'<a href="#id_email">Enter (e-mail|email) address</a>', page), page


def test_the_complaint_forms_sum_is_not_called_an_answer_to_a_complaint(matrix, client_for):
    page = client_for(matrix.users["owner_a"]).post(
        reverse("complaint-file"), {"description": ""}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    summary = page.content.decode().split('data-testid="error-summary"')[1].split("</div>")[0]
    assert "请填写计算结果" in summary
    assert "请填写答复" not in summary
