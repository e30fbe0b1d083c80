"""The production set-up's files in deploy/ (systemd units, nginx, the environment file)
name only commands, options and settings that exist."""

import re
import shlex
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
SETTINGS = (ROOT / "alliances" / "settings.py").read_text()


def exec_lines(unit: Path) -> list[list[str]]:
    """The unit's ExecStart*/ExecStop* commands, continuation lines joined, split as a
    shell would (systemd's own quoting is close enough for these files)."""
    text = unit.read_text().replace("\\\n", " ")
    lines = []
    for line in text.splitlines():
        match = re.match(r"Exec(?:Start|StartPre|StartPost|Reload)=(.*)", line)
        if match:
            lines.append(shlex.split(match.group(1).replace("%%", "%")))
    return lines


def alliances_invocations(unit: Path) -> list[list[str]]:
    found = []
    for argv in exec_lines(unit):
        if argv[:2] == ["/bin/sh", "-c"]:
            argv = shlex.split(argv[2])[1:]  # after `exec`
        if argv and argv[0].endswith("/.venv/bin/alliances"):
            found.append(argv[1:])
    return found


def test_there_are_units_for_web_workers_scheduler_and_backup():
    names = {unit.name for unit in UNITS}
    assert {"alliances-web.service", "alliances-worker@.service",
            "alliances-scheduler.service", "alliances-backup.service"} <= names
    assert (DEPLOY / "systemd" / "alliances-backup.timer").exists()


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_every_alliances_command_of_a_unit_exists_with_its_options(unit):
    commands = get_commands()
    for argv in alliances_invocations(unit):
        name, options = argv[0], argv[1:]
        assert name in commands, f"{unit.name}: no command {name!r}"
        parser = load_command_class(commands[name], name).create_parser("alliances", name)
        parser.parse_args(options)  # exits (SystemExit) on an unknown option


def test_the_web_unit_serves_the_project_s_wsgi_application():
    [gunicorn] = [argv for argv in exec_lines(DEPLOY / "systemd" / "alliances-web.service")
                  if argv[0].endswith("/gunicorn")]
    module, _, attribute = gunicorn[1].partition(":")
    assert module == "alliances.wsgi" and attribute == "application"
    socket = gunicorn[gunicorn.index("--bind") + 1]
    assert socket.removeprefix("unix:") in (DEPLOY / "nginx" / "alliances.conf").read_text()


def test_every_variable_of_the_environment_example_is_read_by_the_settings():
    names = set()
    for line in (DEPLOY / "alliances.env.example").read_text().splitlines():
        match = re.match(r"#?\s*([A-Z][A-Z0-9_]+)=", line)
        if match:
            names.add(match.group(1))
    assert "SECRET_KEY" in names and "DATABASE_URL" in names
    unread = {name for name in names if f'"{name}"' not in SETTINGS}
    assert not unread, f"not read by alliances/settings.py: {sorted(unread)}"
