"""Request ids and structured logs.

Every request gets an id: the one the reverse proxy sent (X-Request-ID, when it looks like
an id) or a new one. It is kept in a context variable for as long as the request runs, so
every log record written meanwhile carries it (RequestIdFilter), and it goes back to the
client in the response's X-Request-ID header: a person reporting an error page can quote
it, and the operator finds the request's lines in the logs.

The logs are JSON lines in production (one object per record: time, level, logger,
message, request_id, and the record's extra fields), text in development; LOG_FORMAT
chooses.
"""

import logging
import re
import uuid
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

# An id from the proxy is kept when it is short and plain: it goes into every log line.
_ACCEPTED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")

request_id: ContextVar[str] = ContextVar("request_id", default="-")


def new_request_id(offered: str | None = None) -> str:
    """The proxy's id when acceptable, else a new random one (32 hex digits)."""
    if offered and _ACCEPTED.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object per line, with the fields an operator filters on first."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault(
            "fmt", ["asctime", "levelname", "name", "message", "request_id"]
        )
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level",
                                            "name": "logger"})
        kwargs.setdefault("datefmt", "%Y-%m-%dT%H:%M:%S%z")
        super().__init__(*args, **kwargs)
