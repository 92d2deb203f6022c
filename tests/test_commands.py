"""Every command the README documents, run as a user runs it: ``python manage.py ...`` in a
process of its own, its help and one real run on small data. A clash of options, an import
error or a traceback fails here before a user meets it."""

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.commands import DJANGO_OWN, copy_of, documented, manage, must, prepared
from tests.portal.test_loading import INSTITUTION_HEADER, OFFICE_HEADER, TREE, code, write_csv


@pytest.fixture(scope="session")
def shared_root(tmp_path_factory) -> Path:
    """A folder every xdist worker of this session sees, for the prepared databases."""
    root = tmp_path_factory.getbasetemp()
    return root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root


@dataclass(frozen=True)
class Run:
    """One real run: on which prepared database, with which arguments (given the run's own
    folder, for input and output files), and what its output must say."""

    database: str
    args: Callable[[Path], list[str]]
    says: tuple[str, ...]


def _offices(folder: Path) -> list[str]:
    return [str(write_csv(folder / "offices.csv", OFFICE_HEADER, TREE))]


def _institutions(folder: Path) -> list[str]:
    must(folder / "data", "load_offices", *_offices(folder))
    rows = [[code(1), "测试银行", "Test Bank", "city_commercial", "350000", "", "", ""]]
    rows.append([code(2), "测试银行鼓楼支行", "Test Bank Gulou", "", "350102", "", "", code(1)])
    return [str(write_csv(folder / "institutions.csv", INSTITUTION_HEADER, rows))]


RUNS: dict[str, Run] = {
    # Again: keeps the data. Every demo account is printed, the banks' officers too.
    "seed_demo": Run(
        "demo",
        lambda _: [],
        ("Demo data ready", "icbc.officer@demo.portal", "fj.security@demo.portal"),
    ),
    "load_offices": Run("migrated", _offices, ("offices: 4 created",)),
    "load_institutions": Run("migrated", _institutions, ("all good",)),
    "seed_national": Run("migrated", lambda _: ["--scale", "0.002"], ("seed_national (scale",)),
    # For a demo bank (Bank of Quanzhou): its counties, one defect, checked as the worker would.
    "generate_return": Run(
        "demo",
        lambda folder: [
            *("SME-LOANS", "--institution", "91350500Q1B0000036", "--period", "2026Q3"),
            *("--defects", "V003", "--out", str(folder / "loans.xlsx")),
        ],
        ("泉州银行", "defect V003", "checked as the worker will check it: V003 x1"),
    ),
    "validate_file": Run(
        "migrated",
        lambda folder: [_generated(folder), "--json"],
        ('"findings": []',),
    ),
    "bench_ingest": Run(
        "migrated", lambda _: ["--rows", "200", "--naive-rows", "50"], ("ingest", "ratio")
    ),
    "bench_scope": Run("national", lambda _: [], ("median",)),
    "bench_scoring": Run("national", lambda _: ["--year", "2025"], ("target groups", "score 2025")),
    "bench_escalation": Run("national", lambda _: ["--cases", "10"], ("raise: 10 of 10",)),
    "bench_screening": Run("demo", lambda _: ["--enterprises", "50"], ("remove the bench task",)),
    "bench_dashboard": Run(
        "national", lambda _: ["--quarters", "1", "--runs", "1"], ("General Bureau",)
    ),
    # A few seconds of load on the demo: the run, its summary and the database's check.
    "loadcheck": Run(
        "demo",
        lambda _: ["--users", "2", "--seconds", "20", "--drain", "90"],
        (
            "load check: 2 users, 20 s",
            "uploads answered with a filing: ",
            "every upload became exactly one final filing",
        ),
    ),
    # No worker or beat runs beside the test: reported down, each by name.
    "portal_health": Run(
        "migrated",
        lambda _: ["--timeout", "0.5", "--exit-zero"],
        ("ok   database", "ok   broker", "DOWN workers", "DOWN beat", "ok   outbox"),
    ),
    "bench_public": Run(
        "national",
        lambda _: ["--complaints", "200", "--quarter", "2026Q2", "--runs", "1"],
        ("release 2026Q2 built", "/public/statistics/2026Q2/", "removed the 200"),
    ),
}


def _generated(folder: Path) -> str:
    out = folder / "generated.xlsx"
    must(folder / "data", "generate_return", "SCREENING-RESULT", "--rows", "40", "--out", str(out))
    return str(out)


def test_every_documented_command_has_a_run():
    assert set(documented()) - DJANGO_OWN == set(RUNS)


@pytest.mark.parametrize("command", documented())
def test_help(command, tmp_path):
    done = manage(tmp_path, "help", *([] if command == "help" else [command]))

    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout or "Available subcommands" in done.stdout
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("command", sorted(RUNS))
def test_real_run(command, tmp_path, shared_root):
    run = RUNS[command]
    copy_of(prepared(shared_root, run.database), tmp_path / "data")

    out = must(tmp_path / "data", command, *run.args(tmp_path))

    for words in run.says:
        assert words in out, out


# -- validate_file answers every file with JSON ---------------------------------------------


def _json_answer(tmp_path: Path, name: str, content: bytes) -> dict:
    path = tmp_path / name
    path.write_bytes(content)
    done = manage(tmp_path, "validate_file", str(path), "--json")
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stdout + done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.xlsx", b""),
        ("return.csv", "县（区）行政区划代码,普惠型小微企业贷款余额\n350102,100\n".encode()),
        ("notes.xlsx", b"PK\x03\x04 not really a zip"),
        ("return.ods", b"PK\x03\x04\x14\x00\x00\x00\x00\x00mimetypeapplication/vnd.oasis"),
    ],
)
def test_validate_file_json_for_a_file_rejected_before_its_template_is_known(
    tmp_path, name, content
):
    answer = _json_answer(tmp_path, name, content)

    assert answer["rows"] == 0
    assert answer["findings"], answer
    assert all(f["severity"] == "error" for f in answer["findings"])
    assert answer["findings"][0]["code"].startswith("S")


def test_validate_file_json_for_a_workbook_that_is_no_template(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["a", "b"])
    book.save(tmp_path / "other.xlsx")

    answer = _json_answer(tmp_path, "other.xlsx", (tmp_path / "other.xlsx").read_bytes())

    assert answer["spec"] is None
    assert answer["findings"][0]["code"].startswith("S")


def test_portal_health_fails_for_a_monitor_when_something_is_down(tmp_path, shared_root):
    copy_of(prepared(shared_root, "migrated"), tmp_path / "data")

    done = manage(tmp_path / "data", "portal_health", "--timeout", "0.5")

    assert done.returncode == 1
    assert "not healthy: workers, beat" in done.stderr and "Traceback" not in done.stderr
