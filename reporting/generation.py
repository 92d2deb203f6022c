"""Returns generated for a filer and period, as ``manage.py generate_return`` makes them: the
rows a clean return of that filer would hold (the counties where it lends, its last year-end's
figures carried into the start of the year, the enterprises it was assigned), checked against
the context the worker validates it with (``pipeline.context_for``); and, asked for by rule
code, defects each planted where it breaks that rule and no other."""

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.db import DatabaseError

from portal.models import Branch, Division, Institution
from reporting import history, outliers, pipeline, synthetic
from reporting.findings import FileRejected
from reporting.models import Filing, ReturnRequest
from reporting.reader import read_return
from reporting.rules import Context, apply_rules
from reporting.spec import HEADER_ROWS, Column, ColumnType, ReturnSpec, RuleClass, Severity
from reporting.specs import get_spec, spec_for_period

T = ColumnType
COPY = "<the first row>"
# Up to this many rows, the generated return is validated whole before it is written.
CHECK_ROWS = 20_000


@dataclass
class Target:
    """What a generated return is for: the spec, the period, the filer (if any) and what the
    worker will compare its rows with."""

    spec: ReturnSpec
    period: str
    filer: str
    counties: tuple[str, ...]
    context: Context
    credit_codes: tuple[str, ...] | None = None
    # The filing the worker will compare with the filer's quarters and peers (outliers).
    filing: Filing | None = None

    @property
    def most_rows(self) -> int | None:
        limit = synthetic.most_rows(self.spec, self.counties)
        if self.credit_codes is not None:
            return min(limit or len(self.credit_codes), len(self.credit_codes))
        return limit

    def frame(self, rows: int, seed: int = 1) -> pl.DataFrame:
        frame = synthetic.synthetic_frame(
            self.spec,
            rows,
            seed=seed,
            counties=self.counties,
            previous=self.context.previous,
            credit_codes=self.credit_codes,
        )
        pushed = self.context.params.get("pushed_on")
        if pushed is not None:  # a screening answer is dated after the list was pushed
            dates = [c.key for c in self.spec.columns if c.type == T.DATE]
            frame = frame.with_columns(pl.lit(pushed.isoformat()).alias(k) for k in dates)
        return _fitted(self, frame) if self.filing is not None else frame


def _fitted(target: Target, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with figures the worker will not flag as outliers: on a row the filer
    returned in its last quarters, each figure is the median of its own (a part not above its
    whole in every quarter is not above it in the medians either; a figure those quarters did
    not have follows them as a clean return's would); on a new row, a rate or a number of
    days is its peers' median in the period."""
    assert target.filing is not None
    spec = target.spec
    columns = outliers.compared_columns(spec, target.filing)
    if not columns:
        return frame
    own = outliers.history(target.filing, columns).frame
    scale_free = outliers.peer_columns(columns)
    peers = outliers.peers(target.filing, scale_free).frame if scale_free else pl.DataFrame()
    if own.is_empty() and peers.is_empty():  # nothing to fit to (a filer new to the return)
        return frame
    medians = own.group_by("key", "column").agg(pl.median("value"))
    wide = (
        medians.pivot(on="column", index="key", values="value")
        if not medians.is_empty()
        else pl.DataFrame(schema={"key": pl.String})
    )
    kept = [c for c in columns if c.key in wide.columns]
    wide = wide.rename({c.key: f"_own_{c.key}" for c in kept}).with_columns(
        pl.lit(True).alias("_own")
    )
    joined = frame.with_columns(outliers.row_key(spec, labels=True).alias("_key")).join(
        wide, left_on="_key", right_on="key", how="left", maintain_order="left"
    )
    joined = joined.with_columns(
        pl.coalesce(pl.col(f"_own_{c.key}"), pl.col(c.key)).cast(frame.schema[c.key]).alias(c.key)
        for c in kept
    )
    if not peers.is_empty():
        median_of = dict(peers.group_by("column").agg(pl.median("value")).iter_rows())
        joined = joined.with_columns(
            pl.when(pl.col("_own").is_null())
            .then(pl.lit(median_of[c.key]))
            .otherwise(pl.col(c.key))
            .cast(frame.schema[c.key])
            .alias(c.key)
            for c in scale_free
            if c.key in median_of
        )
    starts = {s for r in spec.rules if r.rule_class == RuleClass.CROSS_PERIOD for s in r.previous}
    return synthetic.consistent(
        spec, joined.select(frame.columns), keep={c.key for c in kept} | starts
    )


def for_request(return_request: ReturnRequest) -> Target:
    spec = get_spec(return_request.spec_code, return_request.spec_version)
    filing = Filing(
        request=return_request,
        spec_code=spec.code,
        spec_version=spec.version,
        period=return_request.period,
        institution=return_request.institution,
        branch=return_request.branch,
    )
    return _target(
        spec, return_request.period, return_request.institution, return_request.branch, filing
    )


def for_filer(credit_code: str, spec_code: str, period: str, version: str | None) -> Target:
    """The return of the institution or branch with this credit code for ``period``: its
    request's, if it has one, else as the worker would check one filed now."""
    branch = Branch.objects.select_related("institution__office", "office").filter(
        credit_code=credit_code
    )
    found = branch.first()
    institution = (
        found.institution
        if found is not None
        else Institution.objects.select_related("office").filter(credit_code=credit_code).first()
    )
    if institution is None:
        raise LookupError(f"no institution or branch has the credit code {credit_code}")
    request = (
        ReturnRequest.objects.filter(
            spec_code=spec_code, period=period, institution=institution, branch=found
        )
        .order_by("source_ref")
        .first()
    )
    if request is not None and version in (None, request.spec_version):
        return for_request(request)
    spec = get_spec(spec_code, version) if version else spec_for_period(spec_code, period)
    filing = Filing(
        spec_code=spec.code,
        spec_version=spec.version,
        period=period,
        institution=institution,
        branch=found,
    )
    return _target(spec, period, institution, found, filing)


def unattached(
    spec_code: str, version: str | None, counties: tuple[str, ...] | None = None
) -> Target:
    """A return of no filer in particular: its counties are ``counties`` if given (the places
    of many banks, drawn as one frame by a benchmark), else the portal's known divisions
    (county-level ones first), or a built-in list of Fujian's when it knows none. A spec
    keyed by product line (SME-INSURANCE) takes a row per line instead, up to its lines."""
    spec = get_spec(spec_code, version)
    try:
        known = list(Division.objects.values_list("code", flat=True))
    except DatabaseError:  # a fresh clone not yet migrated
        known = []
    if counties is None:
        counties = tuple(c for c in known if not c.endswith("00")) or tuple(known)
    context = Context.defaults()
    context.divisions = frozenset(known) if known else None
    return Target(spec, "", "", counties or synthetic.DEFAULT_COUNTIES, context)


def _target(
    spec: ReturnSpec, period: str, institution: Institution, branch: Branch | None, filing: Filing
) -> Target:
    context = pipeline.context_for(filing)
    if branch is not None:
        places = [branch.office.code]
    else:
        places = history.lending_places([institution])[institution.pk]
    key = spec.column(spec.key[0]) if spec.key else None
    if context.previous is not None and key is not None and key.type == T.DIVISION:
        before = [c for c in context.previous[key.key].to_list() if c in places]
        places = before + [c for c in places if c not in before]
    assigned = context.params.get("assigned")
    name = branch.name_zh if branch is not None else institution.name_zh
    return Target(
        spec,
        period,
        name,
        tuple(places),
        context,
        tuple(sorted(assigned)) if assigned is not None else None,
        filing,
    )


# -- defects ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planting:
    """How to break one reading rule: the columns it may go in and the values to try."""

    columns: Callable[[ReturnSpec], list[Column]]
    values: Callable[[pl.DataFrame, int, Column], list[str | None]]
    about: str = ""


def _wrong_check(frame: pl.DataFrame, row: int, column: Column) -> list[str | None]:
    code = str(frame[row, column.key])
    return [code[:-1] + ("1" if code[-1] != "1" else "2")]


PLANTINGS: dict[str, Planting] = {
    "V001": Planting(lambda s: [c for c in s.columns if c.required], lambda *_: [None], "blank"),
    "V002": Planting(
        lambda s: [c for c in s.columns if c.is_numeric], lambda *_: ["12万"], "text in a number"
    ),
    "V003": Planting(
        lambda s: [c for c in s.columns if c.is_numeric and c.minimum == 0],
        lambda *_: ["-5"],
        "negative",
    ),
    "V004": Planting(
        lambda s: [c for c in s.columns if c.type == T.COUNT], lambda *_: ["2.5"], "fraction"
    ),
    "V005": Planting(
        lambda s: [c for c in s.columns if c.choices], lambda *_: ["不在列表中"], "not a choice"
    ),
    "V006": Planting(
        lambda s: [c for c in s.columns if c.type == T.CREDIT_CODE], _wrong_check, "check digit"
    ),
    "V007": Planting(
        lambda s: [c for c in s.columns if c.type == T.DIVISION],
        lambda *_: ["999999", "3501"],
        "unknown division",
    ),
    "V008": Planting(
        lambda s: [c for c in s.columns if c.type == T.DATE], lambda *_: ["不是日期"], "date"
    ),
    # A copy of the first row: its key repeated, and nothing else about it wrong.
    "V011": Planting(lambda s: [s.column(k) for k in s.key[:1]], lambda *_: [COPY], "repeated"),
}


@dataclass
class Generated:
    frame: pl.DataFrame
    defects: list[synthetic.Defect] = field(default_factory=list)
    found: dict[str, int] | None = None  # rule code -> count, when checked whole


class CannotPlant(ValueError):
    pass


def generate(target: Target, rows: int, defects: list[str], seed: int = 1) -> Generated:
    """``rows`` rows for ``target`` with one row broken for each code in ``defects``."""
    unknown = sorted(set(defects) - set(PLANTINGS))
    if unknown:
        raise CannotPlant(f"no way to plant {', '.join(unknown)}; known: {', '.join(PLANTINGS)}")
    if defects and rows < len(defects) + 1:
        raise CannotPlant(f"{len(defects)} defects need at least {len(defects) + 1} rows")
    frame = target.frame(rows, seed)
    planted: list[synthetic.Defect] = []
    for index, code in enumerate(defects):
        spread = (index + 1) * rows // (len(defects) + 1)
        used = {d.row - HEADER_ROWS - 1 for d in planted}
        tries = [spread, *(r for r in range(1, rows) if r != spread)]
        row, column, value = _where(target, frame, [r for r in tries if r not in used], code)
        frame = _planted(frame, row, column, value)
        shown = "" if frame[row, column.key] is None else str(frame[row, column.key])
        planted.append(synthetic.Defect(row + HEADER_ROWS + 1, column.key, shown, code))
    found = check(target, frame) if rows <= CHECK_ROWS else None
    return Generated(frame, planted, found)


def _where(
    target: Target, frame: pl.DataFrame, rows: list[int], code: str, most_tries: int = 12
) -> tuple[int, Column, str | None]:
    """The first row, column and value (columns no spec rule reads first) that break
    ``code`` and nothing else, tried on an excerpt of the first row and that row."""
    spec, planting = target.spec, PLANTINGS[code]
    if not planting.columns(spec):
        raise CannotPlant(f"{spec.ident} has no column that {code} checks")
    read_by_rules = {k for rule in spec.rules for k in rule.columns}
    columns = sorted(
        planting.columns(spec), key=lambda c: (c.key in read_by_rules, c.key in spec.key)
    )
    for column in columns:
        for row in rows[:most_tries]:
            for value in planting.values(frame, row, column):
                if check(target, _planted(frame[[0, row]], 1, column, value)) == {code: 1}:
                    return row, column, value
    raise CannotPlant(f"{code} cannot be planted in {spec.ident} without breaking other rules")


def _planted(frame: pl.DataFrame, row: int, column: Column, value: str | None) -> pl.DataFrame:
    if value == COPY:
        return pl.concat([frame[:row], frame[0], frame[row + 1 :]])
    frame = frame.with_columns(pl.col(column.key).cast(pl.String))
    frame[row, column.key] = value
    return frame


def check(target: Target, frame: pl.DataFrame) -> dict[str, int]:
    """What the worker would find in ``frame`` (outliers included), as rule code -> count:
    errors and warnings, not the notes that only say what the reader did (a comparison
    skipped for lack of an earlier return, a percentage read as shown)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "check.xlsx"
        synthetic.write_return(target.spec, frame, path)
        try:
            table = read_return(path, target.spec)
            if target.filing is not None:
                outliers.flag(table, target.filing)
            findings = apply_rules(table, target.context)
        except FileRejected as rejected:
            findings = rejected.findings
    return {f.rule.code: f.count for f in findings if f.rule.severity != Severity.NOTE}
