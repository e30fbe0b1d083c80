"""Tasks that fail on a passing error run again later, and tasks a dead worker left behind
run again at the next start.

Neither django-tasks-db nor django-tasks-rq retries a failed task by itself: a task that
raises is recorded FAILED once and for all. `retried` makes a task function enqueue itself
again, with `run_after` = now + TASK_RETRY_BASE_SECONDS × 2^(attempt−1) plus up to a quarter
more (the jitter spreads the retries of tasks that failed together, say when the SMTP
server went away), the attempt number carried in the kwargs (`retry_attempt`). Only the
errors named as passing are retried: a bug fails the same way on every run. An attempt that
hands over to a retry ends SUCCESSFUL with {"retry_attempt", "retry_id", "error"} as its
return value, so the failed tasks an administrator sees (alliances.core.task_views) are the
ones that have given up: the last attempt's error is raised and the backend records it
FAILED.

The database queue marks a task RUNNING when a worker takes it and nothing ever looks at it
again: a worker killed in the middle (out of memory, a redeploy's SIGKILL) leaves the task
RUNNING forever. `tasks_requeue_abandoned` puts such tasks back in the queue; `alliances
serve` calls it before starting its worker, when no worker of this deployment runs, and
`alliances requeue-abandoned-tasks` does it before a worker started on its own. (The
Redis queue has its own answer: RQ moves the job of a worker whose heartbeat stopped to the
failed job registry.)

Either way a task may run more than once: task functions must be idempotent, as the mail
digests are (what was sent is marked first). A response import run again never imports its
batch twice (batch_run claims a waiting batch only), but for the same reason it does not
resume a batch its dead worker left running: that needs imports.batch_run to take such a
batch back (see observatory/tests/test_import_killed.py).
"""

from __future__ import annotations

import datetime
import functools
import logging
import random
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Errors that say "not now" rather than "never": the network, the SMTP server (SMTPException
# is an OSError), the disk, a database that went away or stayed locked too long.
PASSING_ERRORS: tuple[type[BaseException], ...] = (OSError, DatabaseError)


def max_attempts() -> int:
    return getattr(settings, "TASK_MAX_ATTEMPTS", 5)


def retry_delay(attempt: int) -> datetime.timedelta:
    """The wait after failed attempt number `attempt` (1 for the first run): base × 2^(n−1),
    plus a random jitter of up to a quarter of it, so the waits always grow."""
    base = getattr(settings, "TASK_RETRY_BASE_SECONDS", 30) * 2 ** (attempt - 1)
    return datetime.timedelta(seconds=base * (1 + random.random() / 4))  # noqa: S311


def retried(
    errors: tuple[type[BaseException], ...] = PASSING_ERRORS,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a task function, under `@task`, to run it again after a passing error.

    The retry is the same task (found by the function's import path, so `@task` must be
    the outer decorator) enqueued with the same arguments plus `retry_attempt`, which the
    function itself never sees.
    """

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def run(*args: Any, retry_attempt: int = 1, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except errors as error:
                if retry_attempt >= max_attempts():
                    logger.error("task %s failed for good after %d attempts: %r",
                                 func.__qualname__, retry_attempt, error)
                    raise
                run_after = timezone.now() + retry_delay(retry_attempt)
                task = import_string(f"{func.__module__}.{func.__qualname__}")
                retry = task.using(run_after=run_after).enqueue(
                    *args, retry_attempt=retry_attempt + 1, **kwargs
                )
                logger.warning("task %s failed (attempt %d of %d: %r), retried at %s",
                               func.__qualname__, retry_attempt, max_attempts(), error,
                               run_after.isoformat())
                return {"retry_attempt": retry_attempt + 1, "retry_id": str(retry.id),
                        "error": repr(error)[:500]}

        return run

    return decorate


def tasks_requeue_abandoned() -> int:
    """Put back in the database queue the tasks left RUNNING (their worker is gone: call
    this only when no worker of this database runs). Returns how many."""
    from django.tasks import TaskResultStatus, task_backends
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    aliases = [alias for alias in settings.TASKS
               if isinstance(task_backends[alias], DatabaseBackend)]
    if not aliases:
        return 0
    abandoned = DBTaskResult.objects.running().filter(backend_name__in=aliases)
    ids = list(abandoned.values_list("pk", flat=True))
    for pk in ids:
        logger.warning("task %s was left running by a worker that stopped: queued again", pk)
    return abandoned.filter(pk__in=ids).update(status=TaskResultStatus.READY, started_at=None)
