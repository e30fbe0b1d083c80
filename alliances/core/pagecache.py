"""Whole-page cache for the public directory, as anonymous visitors see it.

Territory and actor pages are read far more than they change, and every change goes
through a service. A page is cached under a *generation* number that those services bump
after their transaction commits, so a visitor never sees a page older than the last
write; the TTL is only a safety net. Signed-in people always get a fresh page (it shows
their name, their rights and a CSRF token), and a page whose rendering used a CSRF token
is never stored.
"""

import hashlib
from collections.abc import Callable
from functools import wraps

from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

CACHE_ALIAS = "pages"
GENERATION_KEY = "pages:generation"
TTL_SECONDS = 600


def _cache():
    return caches[CACHE_ALIAS]


def pages_changed() -> None:
    """Call inside a write's transaction: cached pages are dropped once it commits."""
    transaction.on_commit(_bump_generation)


def pages_clear() -> None:
    _cache().clear()


def _bump_generation() -> None:
    cache = _cache()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation stored yet, or it expired
        cache.set(GENERATION_KEY, 1, timeout=None)


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
        generation = cache.get(GENERATION_KEY, 0)
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
