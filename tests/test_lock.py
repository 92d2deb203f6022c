"""Installs are reproducible (issue 23, item 6): every dependency pyproject.toml names is
pinned, with hashes, in requirements.lock, from which make setup, make run and CI install.
A dependency added without `make lock` fails here, not on a fresh machine."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _pins() -> dict[str, str]:
    text = (ROOT / "requirements.lock").read_text()
    return {
        canonicalize_name(m.group(1)): m.group(2)
        for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.MULTILINE)
    }


def test_every_dependency_is_pinned_in_the_lock_file():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    named = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    pins = _pins()
    missing = [r for r in named if canonicalize_name(Requirement(r).name) not in pins]
    assert not missing, f"not in requirements.lock (run make lock): {missing}"
    for text in named:
        requirement = Requirement(text)
        pinned = pins[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(pinned, prereleases=True), (
            f"requirements.lock pins {requirement.name}=={pinned}, outside {requirement}"
        )


def test_every_pin_carries_its_hashes():
    blocks = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", (ROOT / "requirements.lock").read_text())
    unhashed = [b.split()[0] for b in blocks if "==" in b.split()[0] and "--hash=" not in b]
    assert not unhashed
