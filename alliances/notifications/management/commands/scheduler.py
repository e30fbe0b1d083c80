"""`alliances scheduler`: every minute, enqueue the periodic jobs that are due (reminders,
digests, the immediate mails' safety net). `alliances serve` runs it beside the worker."""

import signal
import time
from types import FrameType

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from alliances.notifications.schedule import scheduler_tick

TICK = 60.0


class Command(BaseCommand):
    help = "Enqueue the reminders and e-mail digests when they are due, every minute."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one tick, then exit")

    def handle(self, *, once: bool, **options: object) -> None:
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        if not once:
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, stop)
        while True:
            jobs = scheduler_tick(now=timezone.now())
            if jobs:
                self.stdout.write(f"{timezone.now():%Y-%m-%d %H:%M:%S} enqueued: {', '.join(jobs)}")
            if once:
                return
            # Between ticks, like between requests: no connection kept past its age or broken.
            close_old_connections()
            # Sleep to the next minute, waking often enough to stop promptly.
            deadline = time.monotonic() + TICK - time.time() % TICK
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(1.0, deadline - time.monotonic()))
            if stopping:
                return
