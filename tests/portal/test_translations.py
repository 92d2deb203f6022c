"""The Chinese catalogue is complete, and pages speak Chinese by default and English on request.

The catalogue (locale/zh_Hans/LC_MESSAGES/django.po) is read with polib. The compiled .mo is
git-ignored (``make`` builds it); the page tests rebuild it first when it is missing or older
than the .po.
"""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

# %(name)s, %s, %d ... (python-format) and {name} (python-brace-format).
PERCENT = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]")
BRACES = re.compile(r"\{[^{}]*\}")


def _msgstrs(entry: polib.POEntry) -> dict[int, str]:
    """An entry's translations by plural index (a singular message has only index 0)."""
    return entry.msgstr_plural if entry.msgid_plural else {0: entry.msgstr}


def _label(entry: polib.POEntry) -> str:
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    return context + repr(entry.msgid)


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(PO), encoding="utf-8")


@pytest.fixture(scope="module")
def messages(catalogue) -> list[polib.POEntry]:
    """The translatable entries: all but the header and any obsolete (#~) ones."""
    return [e for e in catalogue if e.msgid and not e.obsolete]


def test_header_declares_chinese_plural_forms(catalogue):
    assert not catalogue.metadata_is_fuzzy, "the header is still marked fuzzy"
    assert catalogue.metadata["Plural-Forms"].startswith("nplurals=1; plural=0;")
    assert "charset=UTF-8" in catalogue.metadata["Content-Type"]


def test_catalogue_has_messages(messages):
    # A catalogue emptied by a bad makemessages run would pass the checks below vacuously.
    assert len(messages) > 300


def test_every_message_is_translated(messages):
    empty = [_label(e) for e in messages if not all(_msgstrs(e).values())]
    assert not empty, f"{len(empty)} message(s) without a Chinese translation: {empty}"


def test_no_message_is_fuzzy(catalogue):
    fuzzy = [_label(e) for e in catalogue if "fuzzy" in e.flags and e.msgid]
    assert not fuzzy, f"{len(fuzzy)} fuzzy message(s) to review: {fuzzy}"


def test_plural_messages_have_one_chinese_form(messages):
    wrong = [_label(e) for e in messages if e.msgid_plural and set(e.msgstr_plural) != {0}]
    assert not wrong, f"plural messages need exactly msgstr[0] in Chinese: {wrong}"


def test_placeholders_are_kept(messages):
    """Every placeholder of the English (its plural form, if any) is in the Chinese, and the
    Chinese adds none: a lost %(name)s shows the wrong text, an extra one raises."""
    wrong = []
    for e in messages:
        source = e.msgid_plural or e.msgid
        patterns = [PERCENT] if "python-format" in e.flags else []
        if "python-brace-format" in e.flags:
            patterns.append(BRACES)
        for pattern in patterns:
            for text in _msgstrs(e).values():
                if sorted(pattern.findall(text)) != sorted(pattern.findall(source)):
                    wrong.append(_label(e))
    assert not wrong, f"placeholders differ between English and Chinese: {wrong}"


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext (msgfmt) is not installed")
def test_msgfmt_accepts_the_catalogue():
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", os.devnull, str(PO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def compiled():
    """A .mo as new as the .po. Compiled to a temporary file and moved into place, so that
    parallel test processes never read a half-written one."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        if not shutil.which("msgfmt"):
            pytest.fail(f"{MO} is missing or stale and msgfmt is not installed: run make")
        fd, tmp = tempfile.mkstemp(dir=MO.parent, suffix=".mo.tmp")
        os.close(fd)
        subprocess.run(["msgfmt", "--check-format", "-o", tmp, str(PO)], check=True)
        os.replace(tmp, MO)
        # Forget any catalogue this process loaded before the rebuild.
        trans_real._translations = {}
        trans_real._default = None
        trans_real._active = trans_real.Local()


def test_default_language_is_chinese(client, db, compiled):
    client.defaults.pop("HTTP_ACCEPT_LANGUAGE", None)  # a browser that states no preference
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "登录" in html
    assert "忘记密码？" in html
    assert "Forgot your password?" not in html


def test_language_cookie_switches_to_english(client, db, compiled):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in html
    assert "Forgot your password?" in html
    assert "忘记密码" not in html


def test_accept_language_switches_to_english(client, db, compiled):
    html = client.get(reverse("login"), headers={"accept-language": "en"}).content.decode()
    assert "Forgot your password?" in html
    assert "忘记密码" not in html


def test_homonyms_and_plurals(compiled):
    """“Return” the report (报表) and “Return” the decision (退回) are told apart by context;
    plural messages take their single Chinese form for any count."""
    from reporting.forms import DecisionForm

    with translation.override("zh-hans"):
        assert translation.gettext("Return") == "报表"
        assert dict(DecisionForm().fields["decision"].choices)["return"] == "退回"
        assert translation.ngettext("%(n)s time", "%(n)s times", 3) % {"n": 3} == "3 次"
    with translation.override("en"):
        assert dict(DecisionForm().fields["decision"].choices)["return"] == "Return"
