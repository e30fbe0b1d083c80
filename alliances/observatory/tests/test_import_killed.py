"""A response import whose worker is SIGKILLed in the middle: the real task worker
(django-tasks-db's db_worker) in a child process on this test's database, SQLite or
PostgreSQL, a file big enough to take a few seconds, the kill once the batch's progress shows
in the database. Then the worker's next start (core.retry.tasks_requeue_abandoned, as
`alliances serve` does) runs the task again."""

import subprocess
import sys

import pytest
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from alliances.accounts.models import User
from alliances.accounts.services import user_create
from alliances.core.retry import tasks_requeue_abandoned
from alliances.core.tests.task_processes import (
    kill_hard,
    media_root,
    shared_database,
    start,
    wait_for,
)
from alliances.observatory import dataset, services
from alliances.observatory.imports import CHUNK_ROWS, responses_import
from alliances.observatory.models import ResponseBatch
from alliances.observatory.tasks import import_responses
from bench import observatory_data

RESPONDENTS = 600_000  # 12 chunks: some seconds of the worker's time
WORKER = ["db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]

pytestmark = pytest.mark.django_db(transaction=True)  # the worker only sees what is committed


@pytest.fixture
def killed_import(tmp_path, settings):
    """A wave, its response file enqueued for import, the worker started and killed
    mid-way; yields (wave, batch, environment of the worker)."""
    if type(import_responses).__module__ != "django.tasks.base":
        pytest.skip("REDIS_URL is set: the tasks are django-tasks-rq's; this tests the "
                    "database queue")
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.MEDIA_ROOT = media_root(tmp_path)
    path = tmp_path / "responses.csv"
    observatory_data.write_csv(observatory_data.generate(RESPONDENTS), path)
    with shared_database(tmp_path) as env:
        owner = user_create(email="analyste@example.org", password=None,
                            role=User.Role.ANALYSTE, display_name="Anaïs Analyste")
        survey = services.survey_create(slug="barometre", title="Baromètre",
                                        population="associations", owner=owner)
        wave = services.wave_create(survey=survey, label="2026",
                                    definition=observatory_data.definition(),
                                    created_by=owner, attributes=observatory_data.ATTRIBUTES)
        with path.open("rb") as file:
            batch = responses_import(wave=wave, file=file, filename="responses.csv",
                                     created_by=owner, weight_column="poids")
        assert DBTaskResult.objects.get().status == TaskResultStatus.READY

        log = tmp_path / "worker.log"
        worker = start(WORKER, env, log)
        try:
            wait_for(lambda: ResponseBatch.objects.filter(
                pk=batch.pk, rows_done__gte=2 * CHUNK_ROWS).exists(),
                process=worker, log=log, timeout=120, every=0.02)
        finally:
            kill_hard(worker)
        batch.refresh_from_db()
        assert batch.rows_done < RESPONDENTS, "killed too late to test anything"
        yield wave, batch, env


def run_worker_until_idle(env: dict[str, str]) -> None:
    """The worker in batch mode: it runs every task ready, then exits."""
    done = subprocess.run(
        [sys.executable, "-m", "alliances", "db_worker", "--no-reload", "--no-startup-delay",
         "--batch"], env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_a_killed_import_writes_none_of_its_rows_and_its_task_runs_again(killed_import):
    wave, batch, env = killed_import

    # Nothing of the batch counts: no columns, no rows in the wave's data set.
    assert batch.status == ResponseBatch.Status.RUNNING
    assert batch.data is None and batch.rows_imported == 0
    assert dataset.build_wave_data(wave).n == 0
    # The dead worker's task stays RUNNING: no worker takes it again by itself…
    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.RUNNING
    run_worker_until_idle(env)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING
    # … until the worker's next start queues it again, and the worker runs it.
    assert tasks_requeue_abandoned() == 1
    run_worker_until_idle(env)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert len(task.worker_ids) == 2


def test_after_a_killed_import_the_next_run_imports_every_row_once(killed_import):
    wave, batch, env = killed_import

    assert tasks_requeue_abandoned() == 1
    run_worker_until_idle(env)

    batch.refresh_from_db()
    assert batch.status == ResponseBatch.Status.DONE
    assert batch.rows_imported == RESPONDENTS
    assert ResponseBatch.objects.filter(wave=wave).count() == 1
    assert dataset.build_wave_data(wave).n == RESPONDENTS  # no duplicates, nothing lost
