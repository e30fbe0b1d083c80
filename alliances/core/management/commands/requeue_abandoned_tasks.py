"""`alliances requeue-abandoned-tasks`: put back in the database queue the tasks a worker that
died (SIGKILL, out of memory, a machine restart) left RUNNING, where no worker would ever
take them again (core.retry.tasks_requeue_abandoned).

`alliances serve` does it before starting its worker. A worker started on its own (the
database queue's systemd unit) runs it first: `ExecStartPre=… requeue-abandoned-tasks`.
Only when no other worker of the database runs: one it would run a second time.
"""

from django.core.management.base import BaseCommand

from alliances.core.retry import tasks_requeue_abandoned


class Command(BaseCommand):
    help = "Queue again the database tasks left running by a worker that died (no worker may run)."

    def handle(self, **options: object) -> None:
        count = tasks_requeue_abandoned()
        self.stdout.write(f"{count} abandoned task(s) queued again")
