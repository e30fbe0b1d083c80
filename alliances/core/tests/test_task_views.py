"""The failed background tasks' back-office page (core.task_views), for administrators only,
and the Django admin's task list it links to. The failures are real: deliver_email against
an SMTP port where nobody listens, run by the database worker until its last attempt."""

import datetime
import socket

import pytest
import time_machine
from django.core.management import call_command
from django.tasks import Task, TaskResultStatus
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from alliances.core.management.commands.serve import DB_WORKER
from alliances.core.tasks import deliver_email
from alliances.lib.email_url import parse_email_url

PAGE = "tasks:failed"
ADMIN_LIST = "admin:django_tasks_database_dbtaskresult_changelist"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed when we return: nobody listens there


@pytest.fixture
def failed_mail(settings):
    """A mail whose every attempt met a refused SMTP connection: FAILED after the second."""
    if type(deliver_email) is not Task:
        pytest.skip("REDIS_URL is set: the tasks are django-tasks-rq's")
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.MAILERS = {"default": parse_email_url(f"smtp://127.0.0.1:{closed_port()}")}
    settings.TASK_MAX_ATTEMPTS, settings.TASK_RETRY_BASE_SECONDS = 2, 30
    deliver_email.enqueue(subject="Bienvenue", body="Bonjour", recipients=["ana@example.org"])
    worker = [*DB_WORKER, "--batch", "--no-startup-delay"]
    call_command(*worker, verbosity=0)
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    with time_machine.travel(retry.run_after + datetime.timedelta(seconds=1), tick=False):
        call_command(*worker, verbosity=0)
    failed = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)
    assert failed.pk == retry.pk
    return failed


@pytest.mark.django_db(transaction=True)  # the worker commits
def test_an_admin_sees_the_failed_task_with_its_attempts_and_error(
    client, admin, password, failed_mail, django_assert_max_num_queries
):
    client.login(email=admin.email, password=password)
    with django_assert_max_num_queries(6):
        response = client.get(reverse(PAGE))

    assert response.status_code == 200
    [task] = response.context["tasks"]
    assert (task.name, task.attempts) == ("deliver_email", 2)
    assert task.arguments == ("body='Bonjour', recipients=['ana@example.org'], "
                              "subject='Bienvenue'")
    assert task.error.startswith("ConnectionRefusedError")
    assert task.finished_at == failed_mail.finished_at
    page = response.content.decode()
    assert reverse("admin:django_tasks_database_dbtaskresult_change",
                   args=[failed_mail.pk]) in page
    assert "ConnectionRefusedError" in page


@pytest.mark.django_db(transaction=True)
def test_the_django_admin_lists_the_failed_tasks_for_an_admin(client, admin, password,
                                                              failed_mail):
    client.login(email=admin.email, password=password)
    response = client.get(reverse(ADMIN_LIST), {"status__exact": "FAILED"})

    assert response.status_code == 200
    assert [row.pk for row in response.context["cl"].result_list] == [failed_mail.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["animateur", "participant", "outsider"])
def test_nobody_else_sees_them(client, password, persona, request):
    user = request.getfixturevalue(persona)
    client.login(email=user.email, password=password)

    assert client.get(reverse(PAGE)).status_code == 403
    response = client.get(reverse(ADMIN_LIST))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse(PAGE))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert client.get(reverse(ADMIN_LIST)).status_code == 302


@pytest.mark.django_db
def test_it_rejects_post(client, admin, password):
    client.login(email=admin.email, password=password)
    assert client.post(reverse(PAGE)).status_code == 405


@pytest.mark.django_db
def test_with_no_failure_it_says_so(client, admin, password):
    DBTaskResult.objects.create(args_kwargs={"args": [], "kwargs": {}}, backend_name="default",
                                task_path="alliances.core.tasks.deliver_email",
                                status=TaskResultStatus.SUCCESSFUL)
    client.login(email=admin.email, password=password)
    response = client.get(reverse(PAGE))
    assert response.status_code == 200
    assert response.context["tasks"] == []


@pytest.mark.django_db
def test_with_the_redis_queue_it_links_to_rqs_failed_job_registry(client, admin, password,
                                                                   settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    client.login(email=admin.email, password=password)
    response = client.get(reverse(PAGE))
    assert response.status_code == 200
    assert reverse("admin:django_rq_failed_jobs", args=[0]) in response.content.decode()
