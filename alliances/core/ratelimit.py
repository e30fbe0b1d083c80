"""Fixed-window counters in the default cache, for the limits allauth does not cover.

allauth limits its own views (sign-in, sign-up, password reset: settings.ACCOUNT_RATE_LIMITS).
The rest of the site counts here: a rate is written "20/h" (a count per second, minute,
hour or day), a key names what is counted ("observatory:open-link:192.0.2.1"), and `hit`
counts one more and says how long to wait if that one is over the limit.

The default cache is per process unless REDIS_URL is set: with several web workers and no
Redis, each worker counts on its own and a client gets up to that many times the limit.
Client addresses are read as allauth reads them (ALLAUTH_TRUSTED_PROXY_COUNT), so that every
limit sees the same client behind a reverse proxy.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds


def parse_rate(raw: str, *, setting: str = "rate") -> Rate:
    """"20/h" → Rate(20, 3600); anything else fails loudly, naming the setting."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*([smhd])\s*", str(raw))
    if match is None:
        raise ImproperlyConfigured(
            f"{setting}={raw!r}: expected a count per s, m, h or d, as 20/h"
        )
    return Rate(int(match.group(1)), PERIODS[match.group(2)])


def hit(key: str, rate: Rate, *, now: float | None = None) -> int:
    """Count one more under `key`: 0 if it is within `rate`, else the seconds to wait for
    the next window. A hit over the limit is counted too, so hammering does not help."""
    now = time.time() if now is None else now
    window = int(now // rate.period)
    cache_key = f"ratelimit:{key}:{rate.period}:{window}"
    cache.add(cache_key, 0, timeout=rate.period + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=rate.period + 1)
        count = 1
    if count <= rate.limit:
        return 0
    return max(1, math.ceil((window + 1) * rate.period - now))


def client_ip(request: HttpRequest) -> str:
    """The client's address, as allauth's own limits see it (proxies included)."""
    from allauth.core.internal.httpkit import get_client_ip

    return get_client_ip(request) or ""
