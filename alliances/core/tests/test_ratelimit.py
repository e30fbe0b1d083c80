"""core.ratelimit: rates read loudly, fixed windows, and the client's address as allauth
reads it (behind a trusted proxy, the address the proxy adds)."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from alliances.core import ratelimit


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_rates_are_read_or_refused_by_name():
    assert ratelimit.parse_rate("20/h") == ratelimit.Rate(20, 3600)
    assert ratelimit.parse_rate(" 5 / d ") == ratelimit.Rate(5, 86400)
    with pytest.raises(ImproperlyConfigured, match="SOME_RATE"):
        ratelimit.parse_rate("20 per hour", setting="SOME_RATE")


def test_a_key_is_counted_per_window_and_refused_hits_count_too():
    rate = ratelimit.Rate(2, 60)
    start = 1_000_020.0  # the start of a minute
    assert [ratelimit.hit("k", rate, now=start + s) for s in (0, 1, 2, 3)] == [0, 0, 58, 57]
    assert ratelimit.hit("other", rate, now=start + 3) == 0
    assert ratelimit.hit("k", rate, now=start + 60) == 0  # the next window


def test_the_client_address_behind_a_trusted_proxy(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1",
                                   HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.4")
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert ratelimit.client_ip(request) == "10.0.0.1"  # the header is not trusted
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert ratelimit.client_ip(request) == "198.51.100.4"  # the one our proxy added
