"""`alliances serve`: migrations, static files, the demo on an empty database, then gunicorn,
the task worker and the scheduler (reminders, e-mail digests) side by side until one stops
or we are asked to.

Gunicorn with sync workers, not an ASGI server: measured on 2-core machines, sync views
under ASGI served 2–3× fewer requests per second.
"""

import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from alliances.actors.models import Organisation
from alliances.core.pagecache import pages_clear
from alliances.core.retry import tasks_requeue_abandoned
from alliances.lib.supervise import supervise


def address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"  # IPv6 needs brackets


def web_command(*, host: str, port: int, workers: int, access_log: bool) -> list[str]:
    command = [
        sys.executable, "-m", "gunicorn", "alliances.wsgi:application",
        "--workers", str(workers), "--bind", address(host, port), "--timeout", "60",
        # Its default control socket is one per user: two servers would fight over it.
        "--no-control-socket",
    ]
    return [*command, "--access-logfile", "-"] if access_log else command


# django-tasks-rq needs its own Job class in the worker to run django.tasks' Task objects;
# the scheduler runs the tasks enqueued with run_after.
RQ_WORKER = ["rqworker", "--job-class", "django_tasks_rq.Job", "--with-scheduler", "default"]
DB_WORKER = ["db_worker", "--no-reload"]


def worker_command() -> list[str]:
    return [sys.executable, "-m", "alliances", *(RQ_WORKER if settings.REDIS_URL else DB_WORKER)]


def scheduler_command() -> list[str]:
    """Enqueues the periodic jobs (see alliances/notifications/schedule.py) every minute."""
    return [sys.executable, "-m", "alliances", "scheduler"]


class Command(BaseCommand):
    help = "Run Alliances: migrate, load the demo on an empty database, serve web and tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
        parser.add_argument("--no-worker", action="store_true", help="no task worker")
        parser.add_argument(
            "--no-scheduler", action="store_true", help="no scheduler (reminders, digests)"
        )
        parser.add_argument("--no-demo", action="store_true", help="never load the demo")
        parser.add_argument("--access-log", action="store_true", help="log every request")

    def handle(self, *, host: str, port: int, workers: int, no_worker: bool,
               no_scheduler: bool, no_demo: bool, access_log: bool, **options: object) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not no_demo and not Organisation.objects.exists():
            call_command("demo")
        # The database may have been replaced since the last start: no page from before.
        pages_clear()
        if not no_worker:
            # No worker of ours runs yet: a task still RUNNING was left by one that died.
            tasks_requeue_abandoned()
        connections.close_all()  # the children open their own

        commands = [web_command(host=host, port=port, workers=workers, access_log=access_log)]
        if not no_worker:
            commands.append(worker_command())
        # Without a worker the scheduler would only fill the queue: they go together.
        if not no_worker and not no_scheduler:
            commands.append(scheduler_command())
        self.stdout.write(f"Alliances is at http://{address(host, port)}/ (Ctrl-C stops it)")
        if status := supervise(commands):
            raise CommandError(f"a child process stopped with status {status}", returncode=status)
