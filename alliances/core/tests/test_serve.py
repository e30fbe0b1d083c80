import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from alliances.actors.models import Organisation, OrganisationType
from alliances.core.management.commands import serve


@pytest.fixture
def recorded(monkeypatch):
    """Run `serve` with the management calls and the supervisor recorded instead of run."""
    calls: dict[str, list] = {"commands": [], "children": [], "status": [0]}
    monkeypatch.setattr(serve, "call_command", lambda name, **kw: calls["commands"].append(name))

    def supervise(children):
        calls["children"].extend(children)
        return calls["status"][0]

    monkeypatch.setattr(serve, "supervise", supervise)
    return calls


@pytest.mark.django_db
def test_it_prepares_the_database_then_runs_gunicorn_and_the_database_worker(recorded, capsys):
    call_command("serve", "--port", "8123")

    assert recorded["commands"] == ["migrate", "collectstatic", "demo"]
    web, worker, scheduler = recorded["children"]
    assert web[1:4] == ["-m", "gunicorn", "alliances.wsgi:application"]
    assert " --workers 2 --bind 127.0.0.1:8123 --timeout 60 " in " ".join(web) + " "
    assert "--access-logfile" not in web
    assert worker[1:] == ["-m", "alliances", "db_worker", "--no-reload"]
    assert scheduler[1:] == ["-m", "alliances", "scheduler"]
    assert "http://127.0.0.1:8123/" in capsys.readouterr().out


@pytest.mark.django_db
def test_it_runs_the_redis_worker_when_redis_url_is_set(recorded, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    call_command("serve", "--workers", "4", "--host", "::1", "--access-log")

    web, worker, _scheduler = recorded["children"]
    assert " --workers 4 --bind [::1]:8000 " in " ".join(web)
    assert web[-2:] == ["--access-logfile", "-"]
    assert worker[3:] == serve.RQ_WORKER
    assert "--job-class" in worker


@pytest.mark.django_db
def test_it_skips_the_demo_on_a_database_with_organisations(recorded):
    Organisation.objects.create(name="Maison des associations", type=OrganisationType.RESEAU)
    call_command("serve", "--no-worker")

    assert recorded["commands"] == ["migrate", "collectstatic"]
    assert len(recorded["children"]) == 1


@pytest.mark.django_db
def test_it_skips_the_demo_when_asked(recorded):
    call_command("serve", "--no-demo")

    assert recorded["commands"] == ["migrate", "collectstatic"]


@pytest.mark.django_db
def test_it_fails_when_a_child_dies(recorded):
    recorded["status"][0] = 3
    with pytest.raises(CommandError, match="status 3"):
        call_command("serve", "--no-demo")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_it_serves_pages_and_stops_every_child_on_sigterm(tmp_path):
    """The real thing, on a fresh SQLite database of its own."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["ALLIANCES_VAR_DIR"] = str(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "alliances", "serve", "--no-demo", "--workers", "1",
         "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        status = None
        # Migrating a fresh database takes a few seconds, and much longer when the test
        # suite's other workers share the CPUs: wait up to two minutes.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/sante/", timeout=2) as r:
                    status = r.status
                break
            except OSError:
                if process.poll() is not None:
                    break
                time.sleep(0.25)
        assert status == 200, process.stdout.read() if process.poll() is not None else ""
        children = subprocess.run(
            ["pgrep", "-P", str(process.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        assert len(children) == 3  # gunicorn's arbiter, the task worker, the scheduler

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        for pid in children:
            with pytest.raises(ProcessLookupError):
                os.kill(int(pid), 0)
        assert f"http://127.0.0.1:{port}/" in process.stdout.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.django_db
def test_it_runs_without_the_scheduler_when_asked(recorded):
    call_command("serve", "--no-demo", "--no-scheduler")

    web, worker = recorded["children"]
    assert worker[-2:] == ["db_worker", "--no-reload"]
