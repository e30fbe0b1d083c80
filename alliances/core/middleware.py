"""The request id (alliances.lib.logs) and the access log."""

import logging
import time
from collections.abc import Callable

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.views.defaults import bad_request

from alliances.lib.logs import new_request_id, request_id
from alliances.lib.redact import redact

access_log = logging.getLogger("alliances.access")


class RequestIdMiddleware:
    """First of the chain: gives the request its id for the logs and the X-Request-ID
    response header, and writes one access-log line per request (method, path, status,
    duration, user id) at INFO, so the line carries the same id as the request's errors."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        value = new_request_id(request.headers.get("X-Request-ID"))
        token = request_id.set(value)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = value
            if access_log.isEnabledFor(logging.INFO):
                # The user only when a view has loaded it already: no query for the log.
                user = getattr(request, "_cached_user", None)
                access_log.info(
                    "%s %s %s", request.method, redact(request.path), response.status_code,
                    extra={
                        "method": request.method,
                        "path": redact(request.path),
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                        "user_id": user.pk if user is not None else None,
                    },
                )
            return response
        finally:
            request_id.reset(token)


class RejectNulMiddleware:
    """A NUL character in the path or the query string is refused with a 400 before any
    view runs: PostgreSQL refuses it in any text (a 500 otherwise), and no page of ours
    takes one. The API answers the same in its own JSON format (api.api)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/") and (
            "\x00" in request.path
            or any("\x00" in key or "\x00" in value
                   for key, values in request.GET.lists() for value in values)
        ):
            return bad_request(request, SuspiciousOperation("NUL character in the request"))
        return self.get_response(request)
