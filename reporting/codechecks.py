"""Credit codes' check characters as polars expressions: vectorised twins of
``portal.identifiers``' checks, with its character set and weights.

The reader checks a million codes in a few lookups per code: the weighted sum of a code's
characters is looked up by spans of two characters wherever the code's shape admits nothing
but the character set, instead of one lookup per character.
"""

import itertools

import polars as pl

from portal.identifiers import ORG_WEIGHTS, USCC_CHARSET, USCC_WEIGHTS

# Vectorised twins of portal.identifiers' check characters, with its character set and weights.
_USCC_VALUES = {ch: i for i, ch in enumerate(USCC_CHARSET)}
_ORG_VALUES = {**{str(d): d for d in range(10)}, **{chr(c): c - 55 for c in range(65, 91)}}


def credit_check_character(first17: pl.Expr) -> pl.Expr:
    """GB 32100's final check character of each code's first 17 characters."""
    total = pl.sum_horizontal(
        first17.str.slice(i, 1).replace_strict(_USCC_VALUES, default=None, return_dtype=pl.Int64)
        * w
        for i, w in enumerate(USCC_WEIGHTS)
    )
    return ((31 - total % 31) % 31).replace_strict(
        dict(enumerate(USCC_CHARSET)), default=None, return_dtype=pl.String
    )


def org_check_character(first8: pl.Expr) -> pl.Expr:
    """GB 11714's check character of each organisation code's first 8 characters."""
    values = (
        first8.str.slice(i, 1).replace_strict(_ORG_VALUES, default=None, return_dtype=pl.Int64)
        for i in range(8)
    )
    check = 11 - pl.sum_horizontal(v * w for v, w in zip(values, ORG_WEIGHTS, strict=True)) % 11
    return (
        pl.when(check == 10)
        .then(pl.lit("X"))
        .when(check == 11)
        .then(pl.lit("0"))
        .otherwise(check.cast(pl.String))
    )


def _pairs(
    values: dict[str, int], weights: list[int], spans: list[tuple[int, int]]
) -> list[tuple[int, int, dict[str, int]]]:
    """(start, length, {text: weighted value}) for each span of a code: one lookup per span
    instead of one per character. Spans of two only where the code's shape already admits
    nothing but ``values``' characters, so that the sum is the per-character one's."""
    return [
        (
            start,
            length,
            {
                "".join(chars): sum(
                    values[ch] * w for ch, w in zip(chars, weights[start:], strict=False)
                )
                for chars in itertools.product(values, repeat=length)
            },
        )
        for start, length in spans
    ]


# Positions 2-7 are digits, and ``\d`` admits digits outside ASCII (which count as 0, as in
# the per-character sum): those are looked up one by one.
_USCC_SPANS = [(0, 2), *((i, 1) for i in range(2, 8)), (8, 2), (10, 2), (12, 2), (14, 2), (16, 1)]
_USCC_PAIRS = _pairs(_USCC_VALUES, USCC_WEIGHTS, _USCC_SPANS)
_ORG_PAIRS = _pairs(
    {ch: _ORG_VALUES[ch] for ch in USCC_CHARSET}, ORG_WEIGHTS, [(0, 2), (2, 2), (4, 2), (6, 2)]
)
_ORG_CHECK = {**{str(d): d for d in range(1, 10)}, "X": 10, "0": 11}


def _weighted_sum(text: pl.Expr, pairs: list[tuple[int, int, dict[str, int]]]) -> pl.Expr:
    return pl.sum_horizontal(
        text.str.slice(start, length).replace_strict(table, default=None, return_dtype=pl.Int64)
        for start, length, table in pairs
    )


def credit_code_valid(code: pl.Expr) -> pl.Expr:
    """The shape of a credit code and its check character (``credit_check_character``'s, by
    spans of the shaped code)."""
    shape = code.str.contains(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
    check = (31 - _weighted_sum(code, _USCC_PAIRS) % 31) % 31
    last = code.str.slice(17, 1).replace_strict(_USCC_VALUES, default=None, return_dtype=pl.Int64)
    return shape & (last == check)


def org_code_valid(code: pl.Expr) -> pl.Expr:
    """GB 11714 check of the organisation code inside a credit code (positions 9-17) of codes
    of a credit code's shape (``org_check_character``'s check, by pairs of characters)."""
    check = 11 - _weighted_sum(code.str.slice(8, 8), _ORG_PAIRS) % 11
    found = code.str.slice(16, 1).replace_strict(_ORG_CHECK, default=0, return_dtype=pl.Int64)
    return pl.when(code.is_not_null()).then(found == check)  # a blank code is not checked
