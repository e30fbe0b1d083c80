"""The feuille de route as a PDF, drawn by WeasyPrint from the printable page's template,
and the ZIP of every feuille de route of a promotion (built by a background task).

WeasyPrint fetches what the page links to (stylesheets, images). It is given a fetcher
that serves our own static files and `data:` URIs only, from the disk: rendering a PDF
never reaches the network, whatever a template or a user's text links to.

A promotion's ZIP and its progress live in the default storage under a path made of the
cohort and the request id (`diagnostics/feuilles-de-route/<cohort id>/<id>.zip|.json`):
no table is needed, and a request id reveals nothing without the cohort's permission.
"""

import json
import logging
import mimetypes
import os
import posixpath
import re
import tempfile
import uuid
import zipfile
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify

from .models import Plan
from .selectors import plan_figures, plan_roadmap


class _SkipCssSupportWarnings(logging.Filter):
    """WeasyPrint warns, at every PDF, about each rule of the site's stylesheet it does not
    support (media queries level 4, `clip`…); the print stylesheet is written for it. Those
    warnings say nothing about a PDF and would drown the log: they are left out, while its
    errors (a stylesheet or an image that failed to load) still get through."""

    def filter(self, record: logging.LogRecord) -> bool:
        css = f"{os.sep}weasyprint{os.sep}css{os.sep}" in record.pathname
        return not (css and record.levelno <= logging.WARNING)


logging.getLogger("weasyprint").addFilter(_SkipCssSupportWarnings())

# The PDF's page is "served" from this origin: relative links resolve against it, and the
# fetcher answers for its static files only.
BASE_URL = "https://feuille-de-route.invalid/"


def _static_file(relative: str) -> Path | None:
    """Where a static file is on disk: collected (hashed names included), else found in the
    apps' and project's static folders. None for anything outside them."""
    relative = posixpath.normpath(unquote(relative)).lstrip("/")
    if relative.startswith("..") or "\x00" in relative:
        return None
    try:
        collected = Path(staticfiles_storage.path(relative))
    except (SuspiciousFileOperation, NotImplementedError, ValueError):
        collected = None
    if collected is not None and collected.is_file():
        return collected
    found = finders.find(relative)
    return Path(found) if isinstance(found, str) else None


def _url_fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesFetcher(URLFetcher):
        """Our static files and data: URIs; anything else is refused (and left out)."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            base = urlsplit(BASE_URL)
            if (parts.scheme, parts.netloc) == (base.scheme, base.netloc) and parts.path.startswith(
                settings.STATIC_URL
            ):
                path = _static_file(parts.path.removeprefix(settings.STATIC_URL))
                if path is not None:
                    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(
                        url, path.read_bytes(), headers={"Content-Type": kind}
                    )
            raise ValueError(f"not fetched for a PDF: {url}")

    return StaticFilesFetcher(allowed_protocols={"data", "https"})


def html_to_pdf(html: str) -> bytes:
    """A PDF of `html`, its links resolved against BASE_URL by the static fetcher."""
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=_url_fetcher()).write_pdf()
    assert pdf is not None
    return pdf


def feuille_de_route_context(plan: Plan, *, today: date | None = None) -> dict[str, Any]:
    """What the printable page shows: the radar, gaps and evolution (one read of six
    queries) and the roadmap (four)."""
    figures = plan_figures(plan)
    return {
        "plan": plan,
        "radar": figures.radar,
        "evolution": figures.evolution,
        "roadmap": plan_roadmap(plan),
        "today": today or timezone.localdate(),
    }


def feuille_de_route_html(plan: Plan, *, request: HttpRequest | None = None) -> str:
    return render_to_string(
        "diagnostics/feuille_de_route.html",
        {**feuille_de_route_context(plan), "for_pdf": True},
        request=request,
    )


def feuille_de_route_pdf(plan: Plan, *, request: HttpRequest | None = None) -> bytes:
    """The printable page of `plan` as a PDF (A4, the print stylesheet)."""
    return html_to_pdf(feuille_de_route_html(plan, request=request))


def pdf_filename(plan: Plan) -> str:
    return f"feuille-de-route-{slugify(plan.name) or 'plan'}-{plan.pk}.pdf"


# -- a promotion's feuilles de route, as one ZIP ---------------------------------------------

REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")
KEEP = 5  # requests (and ZIPs) kept per cohort


@dataclass
class CohortPdfs:
    """The state of one request for a promotion's feuilles de route."""

    id: str
    cohort_id: int
    requested_by: int | None
    requested_at: str
    language: str
    state: str = "queued"  # queued → running → ready, or failed
    done: int = 0
    total: int = 0
    finished_at: str = ""
    error: str = ""

    @property
    def folder(self) -> str:
        return f"diagnostics/feuilles-de-route/{self.cohort_id}"

    @property
    def zip_name(self) -> str:
        return f"{self.folder}/{self.id}.zip"

    @property
    def pending(self) -> bool:
        return self.state in ("queued", "running")

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def requested(self) -> datetime:
        return datetime.fromisoformat(self.requested_at)


def _state_name(cohort_id: int, request_id: str) -> str:
    return f"diagnostics/feuilles-de-route/{cohort_id}/{request_id}.json"


def _write_atomically(name: str, data: bytes) -> None:
    """Replace the stored file in one step: the status page never reads half a file."""
    path = Path(default_storage.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, path)


def cohort_pdfs_save(state: CohortPdfs) -> None:
    _write_atomically(
        _state_name(state.cohort_id, state.id), json.dumps(asdict(state)).encode("utf-8")
    )


def cohort_pdfs_get(*, cohort_id: int, request_id: str) -> CohortPdfs | None:
    """The request's state, or None when there is no such request for this cohort."""
    if not REQUEST_ID.match(request_id):
        return None
    try:
        with default_storage.open(_state_name(cohort_id, request_id), "rb") as handle:
            data = json.loads(handle.read())
    except (FileNotFoundError, ValueError):
        return None
    return CohortPdfs(**data)


def cohort_pdfs_list(*, cohort_id: int, limit: int | None = 5) -> list[CohortPdfs]:
    """The cohort's latest requests, newest first."""
    folder = f"diagnostics/feuilles-de-route/{cohort_id}"
    try:
        _, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    states = [
        cohort_pdfs_get(cohort_id=cohort_id, request_id=name.removesuffix(".json"))
        for name in files
        if name.endswith(".json")
    ]
    found = [state for state in states if state is not None]
    return sorted(found, key=lambda s: s.requested_at, reverse=True)[:limit]


def cohort_pdfs_request(*, cohort_id: int, user_id: int | None) -> CohortPdfs:
    """Record a request for a promotion's feuilles de route and queue its task."""
    from .tasks import build_cohort_pdfs

    state = CohortPdfs(
        id=uuid.uuid4().hex,
        cohort_id=cohort_id,
        requested_by=user_id,
        requested_at=timezone.now().isoformat(),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        total=Plan.objects.filter(pilot_territory__cohort_id=cohort_id).count(),
    )
    cohort_pdfs_save(state)
    build_cohort_pdfs.enqueue(cohort_id=cohort_id, request_id=state.id)
    _prune(cohort_id)
    return state


def _prune(cohort_id: int) -> None:
    """Keep the cohort's KEEP newest requests and their ZIPs: older ones are deleted
    (the PDFs can always be made again); a request still running is never touched."""
    for old in cohort_pdfs_list(cohort_id=cohort_id, limit=None)[KEEP:]:
        if not old.pending:
            default_storage.delete(old.zip_name)
            default_storage.delete(_state_name(cohort_id, old.id))


def cohort_pdfs_build(*, cohort_id: int, request_id: str) -> int:
    """Render every plan of the cohort's pilot territories into one ZIP, saying how far it
    got after each one. Returns the number of PDFs."""
    state = cohort_pdfs_get(cohort_id=cohort_id, request_id=request_id)
    if state is None:
        raise ValueError(f"no such request {request_id!r} for cohort {cohort_id}")
    plans = list(
        Plan.objects.filter(pilot_territory__cohort_id=cohort_id)
        .select_related("pilot_territory", "grid")
        .order_by("name", "pk")
    )
    state.state, state.total, state.done = "running", len(plans), 0
    cohort_pdfs_save(state)
    # Written beside its final name, then moved: a big promotion's ZIP never sits in memory
    # and the download link never serves half a file.
    final = Path(default_storage.path(state.zip_name))
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=final.parent, prefix=".tmp-", suffix=".zip")
    try:
        with (
            os.fdopen(handle, "wb") as out,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
            translation.override(state.language),
        ):
            for plan in plans:
                archive.writestr(pdf_filename(plan), feuille_de_route_pdf(plan))
                state.done += 1
                cohort_pdfs_save(state)
        os.replace(temporary, final)
    except Exception as error:
        Path(temporary).unlink(missing_ok=True)
        state.state, state.error = "failed", type(error).__name__
        state.finished_at = timezone.now().isoformat()
        cohort_pdfs_save(state)
        raise
    state.state, state.finished_at = "ready", timezone.now().isoformat()
    cohort_pdfs_save(state)
    return len(plans)
