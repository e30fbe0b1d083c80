"""What `GET /healthz` checks: the database, and the task queue.

Each check answers "ok" or "error", nothing more: the reasons go to the logs (with the
request's id), never to the probe, which anyone may call.

The task queue is healthy when its store answers and no task has been waiting past
HEALTH_TASK_MAX_WAIT seconds: a queue nobody empties (no worker running, or workers stuck)
is an error even though every server answers. An empty queue with no worker is fine:
there is nothing to do.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

logger = logging.getLogger(__name__)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("health: the database does not answer", exc_info=True)
        return False


def tasks_ok() -> bool:
    oldest_allowed = timezone.now() - timedelta(seconds=settings.HEALTH_TASK_MAX_WAIT)
    try:
        if settings.REDIS_URL:
            return _rq_ok(oldest_allowed)
        return _database_queue_ok(oldest_allowed)
    except Exception:
        logger.warning("health: the task queue does not answer", exc_info=True)
        return False


def _database_queue_ok(oldest_allowed) -> bool:
    from django.db.models import Q
    from django_tasks_db.models import DBTaskResult, get_date_max

    # Ready since before the limit: enqueued then (no run_after: the date max stands for
    # none), or due (run_after) then.
    late = DBTaskResult.objects.ready().filter(
        Q(run_after=get_date_max(), enqueued_at__lt=oldest_allowed)
        | Q(run_after__lt=oldest_allowed)
    )
    if late.exists():
        logger.warning("health: tasks have waited more than %s s for a worker",
                       settings.HEALTH_TASK_MAX_WAIT)
        return False
    return True


def _rq_ok(oldest_allowed) -> bool:
    import django_rq

    queue = django_rq.get_queue("default")
    queue.connection.ping()
    job_ids = queue.get_job_ids(0, 1)  # the head of the queue: the longest waiting
    if not job_ids:
        return True
    job = queue.fetch_job(job_ids[0])
    enqueued = job.enqueued_at if job is not None else None
    if enqueued is not None and timezone.is_naive(enqueued):
        enqueued = timezone.make_aware(enqueued, timezone.UTC)
    if enqueued is not None and enqueued < oldest_allowed:
        logger.warning("health: the Redis queue's oldest job has waited more than %s s",
                       settings.HEALTH_TASK_MAX_WAIT)
        return False
    return True


def checks() -> dict[str, str]:
    return {
        "database": "ok" if database_ok() else "error",
        "tasks": "ok" if tasks_ok() else "error",
    }
