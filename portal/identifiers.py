"""Identifier rules: unified social credit codes (GB 32100-2015), organisation codes (GB 11714)
and administrative division codes (GB/T 2260)."""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext, gettext_noop

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
DIVISION_RE = re.compile(r"^\d{6}$")
NATIONAL_CODE = "000000"


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of checking one code: the normalised value, an error, and softer warnings.
    ``error`` is English, for the loading commands' reports; ``message`` says the same in the
    reader's language, for pages (never an English fragment inside a Chinese sentence)."""

    value: str
    problem: str = ""  # the error's message id, with ``params``
    params: dict = field(default_factory=dict)
    warning: str = ""
    normalised: bool = False

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def error(self) -> str:
        return self.problem % self.params if self.problem else ""

    @property
    def message(self) -> str:
        return gettext(self.problem) % self.params if self.problem else ""


def normalise_code(raw: str) -> str:
    """Full-width letters, stray spaces and lower case, as users paste them, made canonical."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw or "")).upper()


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_CHARSET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_character(first8: str) -> str:
    def value(ch: str) -> int:
        return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10

    check = 11 - sum(value(ch) * w for ch, w in zip(first8, ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def check_credit_code(raw: str) -> CodeCheck:
    """Check a unified social credit code; the organisation-code check is only a warning."""
    code = normalise_code(raw)
    normalised = code != (raw or "")
    if len(code) != 18:
        problem = gettext_noop("must be 18 characters, got %(length)d")
        return CodeCheck(code, problem, {"length": len(code)}, normalised=normalised)
    bad = [ch for ch in code if ch not in USCC_CHARSET]
    if bad:
        problem = gettext_noop("character '%(char)s' is not allowed (I, O, S, V, Z are never used)")
        return CodeCheck(code, problem, {"char": bad[0]}, normalised=normalised)
    if not DIVISION_RE.match(code[2:8]):
        problem = gettext_noop("positions 3-8 must be a division code")
        return CodeCheck(code, problem, normalised=normalised)
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        problem = gettext_noop("check character is %(found)s, expected %(expected)s")
        params = {"found": code[17], "expected": expected}
        return CodeCheck(code, problem, params, normalised=normalised)
    org = code[8:17]
    warning = ""
    if org[:8].isalnum() and org_code_check_character(org[:8]) != org[8]:
        warning = "organisation code (positions 9-17) has an unexpected check character"
    return CodeCheck(code, warning=warning, normalised=normalised)


def make_credit_code(prefix: str, division: str, org8: str) -> str:
    """A valid code built from its parts; seed and test data use it."""
    org = org8 + org_code_check_character(org8)
    first17 = f"{prefix}{division}{org}"
    return first17 + uscc_check_character(first17)


def check_division_code(raw: str) -> CodeCheck:
    code = normalise_code(raw)
    if not DIVISION_RE.match(code):
        return CodeCheck(code, gettext_noop("a division code is six digits"))
    return CodeCheck(code)


def division_parent_codes(code: str) -> list[str]:
    """Province and prefecture codes that contain this code, outermost first."""
    province, prefecture = code[:2] + "0000", code[:4] + "00"
    return [c for c in (province, prefecture) if c != code]
