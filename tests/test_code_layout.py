"""The size rules of the code (docs: design, "split a module when it passes roughly 500
lines, by concept"): no module of portal/, reporting/ or supervision/ over 500 lines and no
function over 80, counted from its ``def`` to the end of its body (decorators aside).
Migrations and the return specs (reporting/specs/, declarative data) are exempt."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("portal", "reporting", "supervision")
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def _modules() -> list[Path]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "migrations" in parts or parts[:2] == ("reporting", "specs"):
                continue
            found.append(path)
    return found


def _oversized(path: Path) -> list[str]:
    name = path.relative_to(ROOT).as_posix()
    source = path.read_text(encoding="utf-8")
    found = []
    lines = len(source.splitlines())
    if lines > MAX_MODULE_LINES:
        found.append(f"{name}: {lines} lines (at most {MAX_MODULE_LINES})")
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(
                    f"{name}:{node.lineno} {node.name}(): {length} lines "
                    f"(at most {MAX_FUNCTION_LINES})"
                )
    return found


def test_the_walk_finds_the_apps():
    names = {p.relative_to(ROOT).as_posix() for p in _modules()}
    assert "portal/scoping.py" in names
    assert "supervision/screening/services.py" in names
    assert not any("/migrations/" in n or n.startswith("reporting/specs/") for n in names)


def test_no_module_or_function_is_too_long():
    found = [problem for path in _modules() for problem in _oversized(path)]
    assert not found, "Split these by concept:\n" + "\n".join(found)
