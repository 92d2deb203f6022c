"""Running ``manage.py`` as a user would: a subprocess in a data directory of its own
(embedded mode: SQLite and the filesystem broker, whatever the suite itself runs on), from a
database made once per test session and copied for each run."""

import fcntl
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
README = BASE_DIR / "README.md"

# Django's own commands the README mentions (run at deploy): only their help is checked here.
DJANGO_OWN = frozenset({"help", "migrate", "collectstatic"})


def documented() -> list[str]:
    """Every command the README shows as ``manage.py NAME``."""
    return sorted(set(re.findall(r"manage\.py ([a-z_]+)", README.read_text(encoding="utf-8"))))


def environment(data_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "PORTAL_MEDIA_ROOT"}
        and not key.startswith("PYTEST")
    }
    env.update(
        PORTAL_DATA_DIR=str(data_dir),
        PYTHONPATH=str(BASE_DIR),
        DJANGO_SETTINGS_MODULE="portal.settings",
        PORTAL_REQUIRE_2FA="0",
    )
    return env


def manage(data_dir: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """``python manage.py ARGS`` in ``data_dir``; never raises on a non-zero exit."""
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        env=environment(data_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def must(data_dir: Path, *args: str) -> str:
    done = manage(data_dir, *args)
    assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


# What each prepared database holds, built by running the commands a new user would run.
PREPARED: dict[str, list[tuple[str, ...]]] = {
    "migrated": [("migrate", "-v0")],
    "demo": [("migrate", "-v0"), ("seed_demo",)],
    "national": [("migrate", "-v0"), ("seed_national", "--scale", "0.002")],
}


def prepared(shared_root: Path, name: str) -> Path:
    """The data directory for ``name``, built once per test session whatever the number of
    xdist workers (a file lock lets one build it while the others wait)."""
    target = shared_root / f"commands-{name}"
    with (shared_root / f"commands-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / "ready").exists():
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            for args in PREPARED[name]:
                must(target, *args)
            (target / "ready").touch()
    return target


def copy_of(source: Path, destination: Path) -> Path:
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("ready", "*.lock"))
    return destination
