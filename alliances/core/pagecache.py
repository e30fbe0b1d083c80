"""Whole-page cache for the public directory, as anonymous visitors see it.

Territory and actor pages are read far more than they change, and every change goes
through a service. A page is cached under a *generation* number that those services bump
in the same transaction as their write (core.models.PageGeneration, one row read per
request), so no visitor sees a page older than the last write, whichever web worker or
server answers. The pages themselves sit in each worker's memory; the TTL only bounds
that memory. Signed-in people always get a fresh page (it shows their name, their rights
and a CSRF token), and a page whose rendering used a CSRF token is never stored.
"""

import hashlib
from collections.abc import Callable
from functools import wraps

from django.core.cache import caches
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from .models import PageGeneration

CACHE_ALIAS = "pages"
TTL_SECONDS = 600


def _cache():
    return caches[CACHE_ALIAS]


def pages_changed() -> None:
    """Call inside a write's transaction: the cached pages are stale once it commits."""
    if not PageGeneration.objects.filter(pk=1).update(value=F("value") + 1):
        PageGeneration.objects.get_or_create(pk=1, defaults={"value": 1})


def pages_clear() -> None:
    _cache().clear()


def current_generation() -> int:
    return PageGeneration.objects.filter(pk=1).values_list("value", flat=True).first() or 0


def _key(request: HttpRequest, generation: int) -> str:
    fragment = "1" if request.headers.get("HX-Request") else "0"
    path = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
    return f"pages:{generation}:{get_language()}:{fragment}:{path}"


def cached_public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "GET" or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        cache = _cache()
        generation = current_generation()
        key = _key(request, generation)
        stored = cache.get(key)
        if stored is not None:
            content, content_type = stored
            response = HttpResponse(content, content_type=content_type)
            patch_vary_headers(response, ["HX-Request"])
            return response
        response = view(request, *args, **kwargs)
        if (
            response.status_code == 200
            and not response.streaming
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not request.META.get("CSRF_COOKIE_USED")
        ):
            cache.set(key, (response.content, response["Content-Type"]), TTL_SECONDS)
        return response

    return wrapper
