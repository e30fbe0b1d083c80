"""The first real task, run through each queue the platform supports: the database queue
(default) and Redis (when REDIS_URL is set), each with its own worker."""

import os

import pytest
from django.core.management import call_command
from django.tasks import Task, TaskResultStatus, task_backends
from django_tasks_db.models import DBTaskResult

from alliances.core.management.commands.serve import DB_WORKER, RQ_WORKER
from alliances.core.tasks import deliver_email

MAIL = {"subject": "Bienvenue", "body": "Bonjour !", "recipients": ["ana@example.org"]}
REDIS_TEST_URL = "redis://127.0.0.1:6379/15"  # a database of its own, flushed by the test


@pytest.fixture
def database_queue(settings) -> None:
    # Explicit, so the test means the same thing when REDIS_URL is set in the environment.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


@pytest.mark.skipif(
    not isinstance(deliver_email, Task),
    reason="REDIS_URL is set: tasks are declared as django-tasks-rq's Task class, which the "
    "database queue refuses; run without REDIS_URL to test the database queue",
)
@pytest.mark.django_db(transaction=True)  # the worker commits and closes connections
def test_the_database_worker_delivers_an_enqueued_mail(database_queue, mailoutbox):
    result = deliver_email.enqueue(**MAIL)

    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.READY
    assert mailoutbox == []

    call_command(*DB_WORKER, "--batch", "--no-startup-delay", verbosity=0)

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 1
    assert [(m.subject, m.to) for m in mailoutbox] == [("Bienvenue", ["ana@example.org"])]


@pytest.fixture
def redis_queue(settings):
    """Point the task backend and django-rq at an empty Redis database, or skip without Redis
    (except in CI, where a missing Redis must fail the run rather than hide the backend)."""
    import django_rq
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    connection = Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    try:
        connection.flushdb()
    except RedisConnectionError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis is not reachable on 127.0.0.1:6379 ({error})")
    settings.RQ_QUEUES = {"default": {"URL": REDIS_TEST_URL, "DEFAULT_TIMEOUT": 60}}
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}
    }
    assert type(task_backends["default"]).__name__ == "RQBackend"
    yield django_rq
    connection.flushdb()
    connection.close()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)  # rqworker closes the database connections
def test_the_redis_worker_delivers_an_enqueued_mail(redis_queue, mailoutbox):
    result = deliver_email.enqueue(**MAIL)
    assert result.backend == "default"
    queue = redis_queue.get_queue("default")
    assert queue.job_ids == [result.id]
    assert mailoutbox == []

    # SimpleWorker runs the job in this process, so the locmem outbox sees the mail.
    # The worker `alliances serve` starts, in burst mode and without forking, so the locmem
    # outbox of this process sees the mail.
    call_command(*RQ_WORKER, "--burst", "--worker-class", "rq.SimpleWorker", verbosity=0)

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 1
    assert [(m.subject, m.to) for m in mailoutbox] == [("Bienvenue", ["ana@example.org"])]
