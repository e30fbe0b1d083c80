"""GET /healthz: 200 when the database and the task queue are healthy, 503 when one is
not, and never a word of why."""

import os
from datetime import timedelta

import pytest
import time_machine
from django.tasks import Task, task_backends
from django.utils import timezone

from alliances.core.tasks import deliver_email
from alliances.testing.faults import database_unavailable

MAIL = {"subject": "Bonjour", "body": "Bonjour !", "recipients": ["ana@example.org"]}
REDIS_TEST_URL = "redis://127.0.0.1:6379/14"  # a database of its own, flushed by the test


@pytest.fixture
def database_queue(settings) -> None:
    settings.REDIS_URL = ""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


@pytest.mark.django_db
def test_healthy_platform_answers_200_with_the_checks(client, database_queue):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "tasks": "ok"}}
    assert "no-cache" in response["Cache-Control"]
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_only_get_is_allowed(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.skipif(not isinstance(deliver_email, Task),
                    reason="REDIS_URL is set: the tasks are declared for the Redis queue")
@pytest.mark.django_db
def test_a_task_waiting_too_long_for_a_worker_makes_the_queue_unhealthy(client, settings,
                                                                        database_queue):
    settings.HEALTH_TASK_MAX_WAIT = 300
    deliver_email.enqueue(**MAIL)

    assert client.get("/healthz").status_code == 200  # just enqueued: a worker has time

    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error",
                               "checks": {"database": "ok", "tasks": "error"}}


@pytest.mark.django_db
def test_a_task_due_later_is_not_late(client, settings, database_queue):
    from django_tasks_db.models import DBTaskResult

    settings.HEALTH_TASK_MAX_WAIT = 300
    later = timezone.now() + timedelta(hours=1)
    DBTaskResult.objects.create(
        task_path="alliances.core.tasks.deliver_email", args_kwargs={"args": [], "kwargs": {}},
        queue_name="default", backend_name="default", run_after=later, priority=0,
    )
    with time_machine.travel(later - timedelta(minutes=1)):
        assert client.get("/healthz").status_code == 200
    with time_machine.travel(later + timedelta(minutes=6)):
        assert client.get("/healthz").status_code == 503


@pytest.mark.django_db(transaction=True)
def test_a_database_that_does_not_answer_gives_503_without_details(client, database_queue):
    with database_unavailable():
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert set(body["checks"].values()) <= {"ok", "error"}  # which, never why
    assert "error" in body["checks"].values()
    assert client.get("/healthz").status_code == 200  # back by itself


@pytest.fixture
def redis_queue(settings):
    import django_rq
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    redis = Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    try:
        redis.flushdb()
    except RedisConnectionError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis is not reachable on 127.0.0.1:6379 ({error})")
    settings.REDIS_URL = REDIS_TEST_URL
    settings.RQ_QUEUES = {"default": {"URL": REDIS_TEST_URL, "DEFAULT_TIMEOUT": 60}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    assert type(task_backends["default"]).__name__ == "RQBackend"
    yield django_rq
    redis.flushdb()
    redis.close()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)  # django-rq enqueues when the transaction commits
def test_the_redis_queue_is_checked_when_redis_is_configured(client, settings, redis_queue):
    settings.HEALTH_TASK_MAX_WAIT = 300
    assert client.get("/healthz").json()["checks"]["tasks"] == "ok"  # empty queue

    redis_queue.get_queue("default").enqueue("alliances.core.tasks.deliver_email", **MAIL)
    assert client.get("/healthz").status_code == 200

    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "tasks": "error"}


@pytest.mark.redis
@pytest.mark.django_db
def test_a_redis_that_does_not_answer_gives_503(client, settings, redis_queue):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:9/0", "DEFAULT_TIMEOUT": 60}}

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "ok", "tasks": "error"}}
