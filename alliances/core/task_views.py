"""The back-office page of the background tasks that failed for good: after their last retry
(core.retry), or at once on an error no retry mends. Platform administrators only.

With the database queue (the default) the page lists them; each links to the task's page in
the Django admin, traceback included. With the Redis queue RQ keeps them in its failed job
registry, which django-rq shows in the Django admin: the page links there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult

from alliances.accounts.rules import is_platform_admin

SHOWN = 200  # the newest; the Django admin's list pages through all of them
ARGUMENTS_SHOWN = 120  # characters of the arguments' summary


@dataclass(frozen=True)
class FailedTask:
    id: str
    name: str
    arguments: str
    attempts: int
    error: str
    finished_at: datetime | None


def failed_task(row: DBTaskResult) -> FailedTask:
    kwargs = dict(row.args_kwargs.get("kwargs", {}))
    attempts = kwargs.pop("retry_attempt", 1)  # core.retry carries it in the kwargs
    parts = [repr(value) for value in row.args_kwargs.get("args", [])]
    # By name: PostgreSQL's jsonb does not keep the order they were given in.
    parts += [f"{key}={value!r}" for key, value in sorted(kwargs.items())]
    arguments = ", ".join(parts)
    if len(arguments) > ARGUMENTS_SHOWN:
        arguments = arguments[: ARGUMENTS_SHOWN - 1] + "…"
    lines = [line for line in row.traceback.strip().splitlines() if line.strip()]
    return FailedTask(
        id=str(row.pk), name=row.task_path.rsplit(".", 1)[-1], arguments=arguments,
        attempts=attempts, error=lines[-1] if lines else row.exception_class_path,
        finished_at=row.finished_at,
    )


def failed_tasks_list(*, limit: int = SHOWN) -> tuple[list[FailedTask], int]:
    """The newest failed tasks of the database queue, and how many there are in all."""
    failed = DBTaskResult.objects.failed()
    rows = failed.order_by("-finished_at").only(
        "id", "task_path", "args_kwargs", "traceback", "exception_class_path", "finished_at"
    )[:limit]
    return [failed_task(row) for row in rows], failed.count()


@require_GET
@login_required
def failed_tasks(request: HttpRequest) -> HttpResponse:
    if not is_platform_admin(request.user):
        raise PermissionDenied
    if settings.REDIS_URL:
        context = {"redis": True, "registry_url": reverse("admin:django_rq_failed_jobs",
                                                          args=[0])}
    else:
        tasks, total = failed_tasks_list()
        context = {"redis": False, "tasks": tasks, "total": total,
                   "admin_url": reverse("admin:django_tasks_database_dbtaskresult_changelist")}
    return render(request, "core/failed_tasks.html", context)
