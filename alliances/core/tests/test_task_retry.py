"""Retries with backoff (core.retry) through the real database queue and its real worker
(django-tasks-db's db_worker, in this process, in batch mode), on SQLite and PostgreSQL;
time-machine moves the clock past each retry's run_after."""

import datetime
import smtplib

import pytest
import time_machine
from django.core.management import call_command
from django.tasks import Task, TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alliances.core.management.commands.serve import DB_WORKER, RQ_WORKER
from alliances.core.retry import retried, tasks_requeue_abandoned
from alliances.core.tests.test_tasks import redis_queue  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)  # the worker commits

# Runs of the tasks below, by label: the worker runs them in this process.
RUNS: dict[str, int] = {}


@task
@retried()
def flaky(*, label: str, failures: int) -> str:
    """Fails `failures` times as an SMTP server that went away, then succeeds."""
    RUNS[label] = RUNS.get(label, 0) + 1
    if RUNS[label] <= failures:
        raise smtplib.SMTPServerDisconnected(f"run {RUNS[label]}: the server went away")
    return f"sent on run {RUNS[label]}"


@task
@retried()
def buggy(*, label: str) -> None:
    """Fails on an error no retry mends."""
    RUNS[label] = RUNS.get(label, 0) + 1
    raise ValueError("a bug")


@pytest.fixture(autouse=True)
def database_queue(settings, request):
    if "redis_queue" in request.fixturenames:
        RUNS.clear()
        return
    if type(flaky) is not Task:
        pytest.skip("REDIS_URL is set: the tasks are django-tasks-rq's, the database queue "
                    "refuses them")
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.TASK_MAX_ATTEMPTS = 4
    settings.TASK_RETRY_BASE_SECONDS = 30
    RUNS.clear()


def run_worker() -> None:
    call_command(*DB_WORKER, "--batch", "--no-startup-delay", verbosity=0)


def rows(name: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path__endswith=f".{name}")
                .order_by("enqueued_at"))


def run_until_done(name: str, *, limit: int = 10) -> list[DBTaskResult]:
    """Run the worker, then move the clock just past the next retry's run_after, again and
    again until no task of `name` waits."""
    for _ in range(limit):
        run_worker()
        waiting = [row for row in rows(name) if row.status == TaskResultStatus.READY]
        if not waiting:
            return rows(name)
        with time_machine.travel(waiting[0].run_after + datetime.timedelta(seconds=1),
                                 tick=False):
            run_worker()
    raise AssertionError("still waiting")


def test_a_task_failing_twice_then_succeeding_runs_three_times_with_growing_waits():
    start = timezone.now()
    flaky.enqueue(label="twice", failures=2)

    done = run_until_done("flaky")

    assert RUNS["twice"] == 3
    assert [row.status for row in done] == [TaskResultStatus.SUCCESSFUL] * 3
    assert [row.args_kwargs["kwargs"].get("retry_attempt", 1) for row in done] == [1, 2, 3]
    assert done[0].return_value["retry_id"] == str(done[1].pk)
    assert "the server went away" in done[0].return_value["error"]
    assert done[-1].return_value == "sent on run 3"
    # Waits of 30 s then 60 s, each plus up to a quarter more (counted here from the
    # attempt's start: a second more for its run).
    first, second = (done[1].run_after - done[0].started_at, done[2].run_after
                     - done[1].started_at)
    assert datetime.timedelta(seconds=30) <= first <= datetime.timedelta(seconds=38.5)
    assert datetime.timedelta(seconds=60) <= second <= datetime.timedelta(seconds=76)
    assert done[0].run_after.year == 9999 and done[0].started_at >= start  # ran at once


def test_a_task_that_keeps_failing_ends_failed_after_the_last_attempt():
    flaky.enqueue(label="always", failures=99)

    done = run_until_done("flaky")

    assert RUNS["always"] == 4
    assert [row.status for row in done] == [TaskResultStatus.SUCCESSFUL] * 3 + [
        TaskResultStatus.FAILED]
    last = done[-1]
    assert last.args_kwargs["kwargs"] == {"label": "always", "failures": 99, "retry_attempt": 4}
    assert last.exception_class_path == "smtplib.SMTPServerDisconnected"
    assert "run 4: the server went away" in last.traceback
    waits = [b.run_after - a.started_at for a, b in zip(done, done[1:], strict=False)]
    assert waits == sorted(waits) and waits[-1] >= datetime.timedelta(seconds=120)


def test_a_bug_is_not_retried():
    buggy.enqueue(label="bug")

    run_worker()

    assert RUNS["bug"] == 1
    [row] = rows("buggy")
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "builtins.ValueError"


def test_a_task_left_running_by_a_dead_worker_is_queued_again_and_run():
    result = flaky.enqueue(label="orphan", failures=0)
    # What a worker killed in the middle leaves: the task claimed, never finished.
    DBTaskResult.objects.get(pk=result.id).claim("dead-worker")
    run_worker()
    assert RUNS == {}  # a RUNNING task is never taken again by itself

    assert tasks_requeue_abandoned() == 1
    run_worker()

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert RUNS["orphan"] == 1
    assert row.worker_ids[0] == "dead-worker" and len(row.worker_ids) == 2
    assert tasks_requeue_abandoned() == 0


def test_serve_queues_the_abandoned_tasks_again_before_starting_its_worker(monkeypatch):
    from alliances.core.management.commands import serve

    result = flaky.enqueue(label="serve", failures=0)
    DBTaskResult.objects.get(pk=result.id).claim("dead-worker")
    monkeypatch.setattr(serve, "call_command", lambda *args, **kwargs: None)
    monkeypatch.setattr(serve, "supervise", lambda children: 0)

    call_command("serve", "--no-demo")

    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.READY


@pytest.mark.redis
@pytest.mark.usefixtures("redis_queue")
def test_through_the_redis_queue_the_retry_is_scheduled_then_run(settings):
    """The same mechanism on django-tasks-rq: the retry is an RQ job scheduled at its
    run_after, which the scheduler of the worker `alliances serve` starts enqueues."""
    import django_rq
    from rq.registry import ScheduledJobRegistry

    settings.TASK_RETRY_BASE_SECONDS = 30
    flaky.enqueue(label="redis", failures=1)
    rq_worker = [*RQ_WORKER, "--burst", "--worker-class", "rq.SimpleWorker"]

    call_command(*rq_worker, verbosity=0)

    assert RUNS["redis"] == 1
    queue = django_rq.get_queue("default")
    scheduled = ScheduledJobRegistry(queue=queue)
    [job_id] = scheduled.get_job_ids()
    run_after = scheduled.get_scheduled_time(job_id)
    wait = run_after - timezone.now()
    assert datetime.timedelta(seconds=25) < wait <= datetime.timedelta(seconds=37.5)

    with time_machine.travel(run_after + datetime.timedelta(seconds=1), tick=False):
        call_command(*rq_worker, verbosity=0)

    assert RUNS["redis"] == 2
    retry = flaky.get_backend().get_result(job_id)
    assert retry.status == TaskResultStatus.SUCCESSFUL
    assert retry.kwargs == {"label": "redis", "failures": 1, "retry_attempt": 2}
    assert retry.return_value == "sent on run 2"


def test_the_command_queues_the_abandoned_tasks_again(capsys):
    result = flaky.enqueue(label="command", failures=0)
    DBTaskResult.objects.get(pk=result.id).claim("dead-worker")

    call_command("requeue_abandoned_tasks")

    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.READY
    assert capsys.readouterr().out == "1 abandoned task(s) queued again\n"
    run_worker()
    assert RUNS["command"] == 1
