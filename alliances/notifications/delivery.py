"""Sending prepared mails from worker processes, for the big digests.

Building and sending a mail is pure Python work (the email package: about 3 ms of CPU a
mail), so a digest to thousands of people spreads it over a few processes. They are
spawned, not forked (forking a process that runs threads or holds database connections is
unsafe), so each sets Django up itself; they never touch the database: the parent claims
the notifications and hands over ready messages.
"""

import os
from typing import Any

# Worker processes for the scheduled digests: the machine's cores, at most 2 (the web
# server and the task worker run beside them).
DIGEST_PROCESSES = max(1, min(2, os.cpu_count() or 1))


def worker_init() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliances.settings")
    import django

    django.setup()


def deliver(messages: list[Any]) -> int:
    """Send a batch over one connection of the default mailer; returns how many left."""
    from django.core.mail import mailers

    connection = mailers.default
    connection.open()
    try:
        return connection.send_messages(messages) or 0
    finally:
        connection.close()
