import sys

from django import db
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from alliances.lib.logs import request_id

from . import health as health_checks
from .pagecache import CACHE_ALIAS, current_generation
from .selectors import platform_figures
from .storage import StorageFailed


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"figures": home_figures()})


FIGURES_TTL_SECONDS = 60


def home_figures() -> dict[str, int]:
    """The platform's figures, kept a minute in the pages' cache under the page generation:
    a write to the directory shows at once, the other counts within a minute. Counting the
    communes of every public actor costs tens of milliseconds at a national scale; the home
    page is the most visited of all."""
    key = f"home:figures:{current_generation()}"
    return caches[CACHE_ALIAS].get_or_set(key, platform_figures, FIGURES_TTL_SECONDS)


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitors: 200 when the database and the task queue are
    healthy, 503 otherwise; which check failed, never why (core.health)."""
    results = health_checks.checks()
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": results},
                        status=200 if healthy else 503)


# Errors of a database that does not answer (down, restarting, too many connections, a
# locked SQLite file): the request can be tried again in a moment.
DATABASE_UNAVAILABLE = (db.OperationalError, db.InterfaceError)
RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: 503 with Retry-After when the database or the media storage is
    unavailable (the service's transaction has rolled back: nothing was saved), else 500.

    Called while the exception is being handled, so sys.exception() is it. The templates
    are rendered without the request's context processors: they must not need the
    database (the signed-in user, notifications).
    """
    error = sys.exception()
    context = {"request_id": request_id.get(),
               "storage": isinstance(error, StorageFailed)}
    if isinstance(error, (*DATABASE_UNAVAILABLE, StorageFailed)):
        response = HttpResponse(render_to_string("503.html", context), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    else:
        response = HttpResponse(render_to_string("500.html", context), status=500)
    response["Cache-Control"] = "no-store"
    return response

