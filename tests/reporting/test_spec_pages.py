"""The spec documentation pages and the template download."""

import io

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from reporting.documentation import rule_docs
from reporting.spec import META_SHEET
from reporting.specs import ALL, get_spec
from reporting.views.specs import rule_url
from reporting.workbooks import XLSX_CONTENT_TYPE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

IDS = [s.ident for s in ALL]


@pytest.fixture
def client_as(client_for):
    """A signed-in client reading the portal in the given language."""

    def sign_in(language: str):
        client = client_for(UserFactory())
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return sign_in


def _detail(spec) -> str:
    return reverse("spec-detail", kwargs={"code": spec.code, "version": spec.version})


def test_spec_list_shows_every_spec_and_version_in_both_languages(client_as):
    zh = client_as("zh-hans").get(reverse("spec-list")).content.decode()
    en = client_as("en").get(reverse("spec-list")).content.decode()
    for spec in ALL:
        assert _detail(spec) in zh
        assert spec.title_zh in zh and spec.title_en not in zh
        assert spec.title_en in en and spec.title_zh not in en
    assert "按季" in zh and "quarterly" in en
    assert "2023" in zh  # SME-LOANS 2025 supersedes 2023


@pytest.mark.parametrize("spec", ALL, ids=IDS)
def test_spec_detail_lists_every_rule_with_its_anchor(spec, client_as):
    for language in ("zh-hans", "en"):
        response = client_as(language).get(_detail(spec))
        assert response.status_code == 200
        body = response.content.decode()
        for doc in rule_docs(spec):
            assert f'id="rule-{doc.rule.code}"' in body
        for column in spec.columns:
            assert f'id="column-{column.key}"' in body


def test_spec_detail_follows_the_active_language(client_as):
    spec = get_spec("SME-LOANS", "2025")
    rule = next(r for r in spec.rules if r.code == "SL-V101")
    zh = client_as("zh-hans").get(_detail(spec)).content.decode()
    en = client_as("en").get(_detail(spec)).content.decode()
    assert escape(spec.title_zh) in zh and escape(spec.description_zh) in zh
    assert escape(rule.message_zh) in zh and escape(rule.message_en) not in zh
    assert escape(spec.title_en) in en and escape(spec.description_en) in en
    assert escape(rule.message_en) in en and escape(rule.message_zh) not in en
    assert "普惠型小微企业贷款余额" in zh and "Inclusive SME loan balance" in en
    assert '<html lang="zh-Hans">' in zh and '<html lang="en">' in en


def test_rule_url_points_at_the_rule_anchor(client_as):
    spec = get_spec("SME-LOANS", "2025")
    url = rule_url(spec, "SL-V101")
    assert url == "/returns/specs/SME-LOANS/2025/#rule-SL-V101"
    path, anchor = url.split("#")
    assert f'id="{anchor}"' in client_as("en").get(path).content.decode()


def test_template_download_serves_the_workbook(client_as):
    response = client_as("zh-hans").get(
        reverse("spec-template", kwargs={"code": "SME-LOANS", "version": "2025"})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert 'filename="SME-LOANS_2025_template.xlsx"' in response["Content-Disposition"]
    meta = openpyxl.load_workbook(io.BytesIO(response.content))[META_SHEET]
    assert (meta["B1"].value, meta["B2"].value) == ("SME-LOANS", "2025")


@pytest.mark.parametrize("name", ["spec-detail", "spec-template"])
def test_unknown_spec_is_404(name, client_as):
    url = reverse(name, kwargs={"code": "SME-LOANS", "version": "1999"})
    assert client_as("en").get(url).status_code == 404


def test_pages_need_sign_in(client):
    for url in (reverse("spec-list"), _detail(ALL[0])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
