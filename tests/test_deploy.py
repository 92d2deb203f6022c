"""The systemd units of deploy/ run the processes the README's production section names, each
restarted by systemd whatever ends it."""

import configparser
from pathlib import Path

import pytest
from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "deploy"
LONG_RUNNING = ["portal-web.service", "portal-worker@.service", "portal-beat.service"]


def _unit(name: str) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str  # type: ignore[assignment, method-assign]
    unit.read(DEPLOY / name)
    return unit


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_each_process_is_restarted_always_with_the_shared_settings(name):
    service = _unit(name)["Service"]
    assert service["Restart"] == "always"
    assert service["EnvironmentFile"] == "/etc/portal/portal.env"
    assert service["User"] == "portal"


def test_the_units_run_what_the_readme_says():
    commands = {name: _unit(name)["Service"]["ExecStart"] for name in LONG_RUNNING}
    assert "gunicorn portal.wsgi" in commands["portal-web.service"]
    assert "celery --app portal worker --queues portal" in commands["portal-worker@.service"]
    assert "celery --app portal beat" in commands["portal-beat.service"]
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    for name in [*LONG_RUNNING, "portal-health.timer", "portal.env.example"]:
        assert f"deploy/{name}" in readme
