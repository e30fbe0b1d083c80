"""bench/load.py's own parts that decide whether a load run means anything: signing in
through the real login form, refusing pages that redirect, the mix's shares, the wrk
script's entries. (The load itself is `alliances bench load --smoke`, run by CI.)"""

import shutil
import sys
from collections import Counter
from urllib.parse import urlsplit

import pytest
from django.conf import settings

sys.path.insert(0, str(settings.BASE_DIR.parent))  # bench/ lives beside the package

from bench import load  # noqa: E402


def port_of(live_server) -> int:
    return urlsplit(live_server.url).port


@pytest.mark.django_db(transaction=True)
def test_sign_in_through_the_login_form(live_server, participant, password):
    port = port_of(live_server)
    cookie = load.sign_in(port, participant.email, password)
    assert "sessionid=" in cookie
    assert "messages=" not in cookie  # the "signed in" message was shown, as in a browser
    status, _, page = load.get(port, "/compte/profil/", {"Cookie": cookie})
    assert status == 200
    assert "/compte/logout/" in page and participant.email in page


@pytest.mark.django_db(transaction=True)
def test_sign_in_refuses_a_wrong_password(live_server, participant):
    with pytest.raises(SystemExit, match="signing in as participant@example.org failed"):
        load.sign_in(port_of(live_server), participant.email, "not the password")


@pytest.mark.django_db(transaction=True)
def test_check_pages_counts_a_redirect_to_the_login_page(live_server, participant, password):
    port = port_of(live_server)
    with pytest.raises(SystemExit, match="HTTP 302"):
        load.check_pages(port, [("profile", ["/compte/profil/"], {})])
    cookie = load.sign_in(port, participant.email, password)
    load.check_pages(port, [("profile", ["/compte/profil/"], {"Cookie": cookie})])  # passes


def test_the_mix_follows_its_shares_and_keeps_every_path():
    targets = [(name, [f"/{n}/{i}" for i in range(3 if n % 2 else 90)], {})
               for n, name in enumerate(load.MIX)]
    mixed = load.mix_requests(targets)
    paths = [path for path, _ in mixed]
    assert {p for _, ps, _ in targets for p in ps} <= set(paths)
    per_page = Counter(path.split("/")[1] for path in paths)
    for n, share in enumerate(load.MIX.values()):
        if n % 2:  # few paths: repeated to the page's share of the mix
            assert per_page[str(n)] == share * 4
    # Interleaved: every stretch of the rotation holds every page.
    quarter = paths[: len(paths) // 4]
    assert {path.split("/")[1] for path in quarter} == {str(n) for n in range(len(load.MIX))}


def test_lua_strings_are_escaped():
    assert load.lua_string('a"b\\c') == '"a\\"b\\\\c"'


@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is not installed")
@pytest.mark.django_db(transaction=True)
def test_wrk_counts_redirects_as_errors_and_sends_each_request_its_headers(
    live_server, participant, password
):
    cookie = load.sign_in(port_of(live_server), participant.email, password)
    anonymous = load.run_wrk(live_server.url, [("/compte/profil/", {})], connections=2,
                             seconds=1)
    assert anonymous["requests"] > 0
    assert anonymous["errors"] == anonymous["non_2xx"] >= anonymous["requests"]
    signed_in = load.run_wrk(live_server.url, [("/compte/profil/", {"Cookie": cookie})],
                             connections=2, seconds=1)
    # Every answer the signed-in page (a socket error at the end of the second, against the
    # test's small live server, is not what this checks).
    assert signed_in["requests"] > 0 and signed_in["non_2xx"] == 0
