"""The sentences that explain a scorecard's lines: stored as a short key with parameters, and
rendered in the reader's language (the message ids are in the translation catalogue)."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext, gettext_noop

from supervision.indicators import Text

CENT = Decimal("0.01")

UNITS = {
    "%": Text("%", "%"),
    "pp": Text("个百分点", " pp"),
    "10k": Text("万元", " × 10k CNY"),
    "borrowers": Text("户", " borrowers"),
    "policies": Text("件", " policies"),
    "days": Text("天", " days"),
    "rows": Text("行", " rows"),
    "": Text("", ""),
}

MET = gettext_noop("%(value)s meets the target of %(target)s: full %(points)s points.")
WITHIN = gettext_noop("%(value)s is within the limit of %(target)s: full %(points)s points.")
PROPORTIONAL = gettext_noop(
    "%(value)s is short of the target of %(target)s: %(points)s of %(max)s points, in proportion."
)
LINEAR = gettext_noop(
    "%(value)s lies between %(zero_at)s (no points) and the target of %(target)s: "
    "%(points)s of %(max)s points."
)
BEYOND = gettext_noop(
    "%(value)s is at or past %(zero_at)s, where the credit ends (target %(target)s): no points."
)
ALSO_MET = gettext_noop("%(value)s against %(target)s, but %(condition)s: full %(points)s points.")
CONDITION_PROPORTIONAL = gettext_noop(
    "%(value)s is short of the target of %(target)s, but %(condition)s: %(points)s of %(max)s "
    "points, in proportion."
)
NO_PARTIAL = gettext_noop("%(value)s misses the target of %(target)s: no points.")
GATE_FAILED = gettext_noop(
    "%(value)s misses the target of %(target)s and partial credit needs that %(condition)s, "
    "which does not hold: no points."
)
PENALTY = gettext_noop("%(reason)s (value %(value)s, target %(target)s): %(points)s points.")
MISSING = gettext_noop("Not scored: missing %(inputs)s.")
UNDEFINED = gettext_noop("Cannot be computed: a figure it divides by is zero. No points.")
PARTS = gettext_noop("%(points)s of %(max)s points from its parts: %(parts)s")
NOT_REPORTED = gettext_noop(
    "Not reported under the return version filed (or left blank): %(inputs)s. No points for "
    "this part."
)
QUALITATIVE = gettext_noop("Scored by the reviewer: %(points)s of %(max)s points.")
QUALITATIVE_MISSING = gettext_noop("Not scored yet: awaits the reviewer's points.")
ADJUSTED = gettext_noop(
    "Adjusted by the reviewer from %(computed)s to %(points)s points: %(reason)s"
)


# Stored results name their sentence by a short key, not the whole message id.
SENTENCES = {
    "met": MET,
    "within": WITHIN,
    "proportional": PROPORTIONAL,
    "also_met": ALSO_MET,
    "condition_proportional": CONDITION_PROPORTIONAL,
    "linear": LINEAR,
    "beyond": BEYOND,
    "no_partial": NO_PARTIAL,
    "gate_failed": GATE_FAILED,
    "penalty": PENALTY,
    "missing": MISSING,
    "undefined": UNDEFINED,
    "parts": PARTS,
    "not_reported": NOT_REPORTED,
    "qualitative": QUALITATIVE,
    "qualitative_missing": QUALITATIVE_MISSING,
    "adjusted": ADJUSTED,
}
KEY_OF = {message: key for key, message in SENTENCES.items()}


def quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def shown(value: Decimal | None, unit: str = "") -> dict:
    """A number with its unit in both languages, as a sentence parameter."""
    if value is None:
        return {"zh": "—", "en": "—"}
    number = f"{quantize(value).normalize():f}"
    text = UNITS.get(unit, UNITS[""])
    return {"zh": f"{number}{text.zh}", "en": f"{number}{text.en}"}


def because(message: str, **params) -> dict:
    """A line's reason as stored: the message's short key and its parameters."""
    return {"message": KEY_OF[message], "params": params}


def _param(value, lang: str) -> str:
    if isinstance(value, dict) and "zh" in value:
        return value["en"] if lang == "en" else value["zh"]
    if isinstance(value, dict) and "reason" in value:  # a part's name and its own sentence
        colon = ": " if lang == "en" else "："
        return _param(value["name"], lang) + colon + sentence(value["reason"], lang)
    if isinstance(value, list):
        parts = bool(value) and isinstance(value[0], dict) and "reason" in value[0]
        separator = (" " if parts else ", ") if lang == "en" else ("" if parts else "、")
        return separator.join(_param(v, lang) for v in value)
    return str(value)


def sentence(reason: dict, lang: str | None = None) -> str:
    """A line's reason in the active language (or ``lang``: "zh" or "en")."""
    from django.utils import translation

    if lang is None:
        lang = "en" if (translation.get_language() or "zh").startswith("en") else "zh"
    with translation.override("en" if lang == "en" else "zh-hans"):
        text = gettext(SENTENCES.get(reason["message"], reason["message"]))
    return text % {k: _param(v, lang) for k, v in reason["params"].items()}
