"""Per-person cache of the cohort space and the animateur's console.

These two pages are read many times a day by each member and change only when something
in the cohort is written, or when time passes a boundary (a session starts or ends, a due
date or a phase starts at Paris midnight). A rendered page is kept under a key made of
everything it depends on, read in one query before the view runs:

- the cohort (its id and creation time: a pk reused after a delete is another cohort) and
  its ``pages_version``, bumped by every write service of the parcours, the
  discussions and the accounts in the same transaction as its write
  (`cohort_pages_changed`, `member_pages_changed`), so no one sees a page older than the
  last committed write, whichever worker answers;
- the directory's page generation (names of territories and organisations);
- the viewer: id, role in the cohort, platform-admin flag, display name, language, unread
  notifications (the header) and the latest thread they read in the cohort (the
  discussions panel marks unread threads);
- the viewer's CSRF cookie, so that the form tokens in a cached page stay valid for that
  browser and for no other. A page rendered with a new CSRF secret is not stored.

An entry also carries the instant it stops being true (`page_valid_until`), set by the view
from the dates it showed. A page is not stored when the browser sent no CSRF cookie, when
flash messages are pending, or when the answer was not a plain 200. Anonymous visitors and
POSTs always go to the view. The entries live in each worker's memory (the "cohort_pages"
cache), so a hit costs the session, the user and this one query, against the dozens a
render needs.
"""

import datetime
import functools
import hashlib
import re
import time
import zlib
from collections.abc import Callable
from functools import wraps
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import caches
from django.db import connections, router
from django.db.models import Count, F, Max, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

from alliances.core.models import PageGeneration

from .models import Cohort, CohortMember

CACHE_ALIAS = "cohort_pages"
# Upper bound on an entry's life whatever its dates say: bounds the memory, not freshness.
MAX_AGE_SECONDS = 3600
PARIS = ZoneInfo("Europe/Paris")
_UNTIL_ATTRIBUTE = "_cohort_page_valid_until"


def cohort_pages_changed(*cohort_ids: int) -> None:
    """Call inside a write's transaction: these cohorts' cached pages are stale once it
    commits."""
    if cohort_ids:
        Cohort.objects.filter(pk__in=cohort_ids).update(pages_version=F("pages_version") + 1)


def member_pages_changed(user_id: int) -> None:
    """A person's name or standing changed: every cohort page that shows them is stale."""
    cohort_ids = CohortMember.objects.filter(user_id=user_id).values("cohort_id")
    Cohort.objects.filter(pk__in=cohort_ids).update(pages_version=F("pages_version") + 1)


def page_valid_until(response: HttpResponse, moments: list[datetime.datetime]) -> None:
    """Mark a rendered page as true until the earliest of `moments` still to come, and at
    most until the next midnight in Paris (due dates and phases change state then)."""
    now = timezone.now()
    local = timezone.localtime(now, PARIS)
    midnight = datetime.datetime.combine(
        local.date() + datetime.timedelta(days=1), datetime.time(), tzinfo=PARIS
    )
    future = [moment for moment in moments if moment > now]
    setattr(response, _UNTIL_ATTRIBUTE, min([midnight, *future]))


# Stand-ins for the viewer and the slug while the state query is compiled (see below).
_USER, _SLUG = -7_001_002_003, "\x00slug\x00"


def _state_queryset(user_id: int, slug: str):
    from alliances.discussions.models import ThreadRead
    from alliances.notifications.models import Notification

    role = CohortMember.objects.filter(cohort=OuterRef("pk"), user_id=user_id).values("role")[:1]
    unread = (
        Notification.objects.filter(recipient_id=user_id, read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last_read = (
        ThreadRead.objects.filter(user_id=user_id, thread__cohort=OuterRef("pk"))
        .order_by()
        .values("user_id")
        .annotate(at=Max("read_at"))
        .values("at")
    )
    generation = PageGeneration.objects.filter(pk=1).values("value")
    return (
        Cohort.objects.filter(slug=slug)
        .order_by()
        .annotate(
            viewer_role=Subquery(role),
            unread=Subquery(unread),
            last_read=Subquery(last_read),
            generation=Subquery(generation),
        )
        .values_list(
            "pk", "created_at", "pages_version", "viewer_role", "unread", "last_read", "generation"
        )
    )


@functools.cache
def _compiled_state(alias: str) -> tuple[str, tuple]:
    """The state query compiled once per database: every hit runs it, and compiling its
    four subqueries costs more than running them. The stand-ins mark the parameters."""
    return _state_queryset(_USER, _SLUG).query.get_compiler(alias).as_sql()


def _state(slug: str, user) -> tuple | None:
    """Everything a cached page depends on, besides the viewer's own row: one query."""
    alias = router.db_for_read(Cohort)
    sql, template = _compiled_state(alias)
    params = [user.pk if p == _USER else slug if p == _SLUG else p for p in template]
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _has_messages(request: HttpRequest) -> bool:
    # The default storage keeps flash messages in a cookie, and in the session when they
    # do not fit; peeking at both leaves them in place for the view to show.
    if "messages" in request.COOKIES:
        return True
    session = getattr(request, "session", None)
    return session is not None and "_messages" in session


def _key(name: str, request: HttpRequest, state: tuple, csrf_cookie: str) -> str:
    user = request.user
    parts = (
        name,
        *state,
        user.pk,
        getattr(user, "is_platform_admin", False),
        str(user),
        get_language(),
        csrf_cookie,
        request.get_full_path(),
        bool(request.headers.get("HX-Request")),
    )
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()
    return f"cohort-page:{digest}"


def cached_cohort_page(name: str) -> Callable:
    """Decorate a GET view of one cohort, called with its `slug`, whose every answer is
    decided by the key's parts (see the module's docstring)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args, **kwargs) -> HttpResponse:
            csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
            if (
                request.method != "GET"
                or not request.user.is_authenticated
                or not csrf_cookie
                or _has_messages(request)
            ):
                return view(request, slug, *args, **kwargs)
            state = _state(slug, request.user)
            if state is None:  # no such cohort: the view says 404
                return view(request, slug, *args, **kwargs)
            cache = caches[CACHE_ALIAS]
            key = _key(name, request, state, csrf_cookie)
            entry = cache.get(key)
            if entry is not None and entry[0] > time.time():
                _, content, content_type = entry
                return _private(HttpResponse(zlib.decompress(content), content_type=content_type))
            response = view(request, slug, *args, **kwargs)
            until = getattr(response, _UNTIL_ATTRIBUTE, None)
            if (
                until is not None
                and response.status_code == 200
                and not response.streaming
                # The page's form tokens were made from the secret this browser sent, not
                # from a new one: Django marks every token use as needing a cookie update,
                # so compare the secrets rather than read that flag.
                and request.META.get("CSRF_COOKIE") == csrf_cookie
            ):
                expires = until.timestamp()
                ttl = min(MAX_AGE_SECONDS, max(1, int(expires - time.time())))
                response.content = _collapse_whitespace(response.content)
                # Compressed: a 65 kB page takes 10 kB (0.1 ms to pack, 0.05 ms to unpack).
                content = zlib.compress(response.content, 1)
                cache.set(key, (expires, content, response["Content-Type"]), ttl)
            return _private(response)

        return wrapper

    return decorator


_INDENTATION = re.compile(rb"[ \t\r]*\n\s*")


def _collapse_whitespace(content: bytes) -> bytes:
    """The templates' indentation, a fifth of a 40-session page, folded into single line
    breaks: the same document for a browser, except inside <pre> and <textarea>, so a page
    holding one is left as it is."""
    if b"<pre" in content or b"<textarea" in content:
        return content
    return _INDENTATION.sub(b"\n", content)


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True)
    patch_vary_headers(response, ["Cookie", "HX-Request"])
    return response
