"""Error pages: a database that stops answering gives a clean 503 page that asks to retry,
and the platform recovers by itself when it answers again; other errors, a clean 500."""

import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from alliances.core.views import server_error
from alliances.lib.logs import JsonFormatter, RequestIdFilter, request_id
from alliances.testing.faults import database_unavailable


@pytest.fixture
def json_log():
    """The JSON lines the production logging writes for django.request's records."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


@pytest.mark.django_db(transaction=True)
def test_a_database_that_stops_answering_gives_a_503_page_then_recovers(json_log):
    client = Client(raise_request_exception=False)
    assert client.get("/acteurs/").status_code == 200

    with database_unavailable():
        response = client.get("/acteurs/", HTTP_X_REQUEST_ID="probe-42")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["X-Request-ID"] == "probe-42"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "La plateforme est momentanément indisponible" in page
    assert "probe-42" in page  # the reference a person can quote
    assert "Traceback" not in page and "OperationalError" not in page
    # The error is logged, as one JSON line with the request's id and the traceback.
    [line] = [line for line in json_log() if line["request_id"] == "probe-42"]
    assert line["level"] == "ERROR" and line["logger"] == "django.request"
    assert "OperationalError" in line["exc_info"]

    assert client.get("/acteurs/").status_code == 200  # back by itself


@pytest.mark.django_db(transaction=True)
def test_a_form_posted_while_the_database_is_down_gets_the_503_page(admin, password):
    client = Client(raise_request_exception=False)
    with database_unavailable():
        response = client.post("/compte/login/", {"login": admin.email, "password": password})
    assert response.status_code == 503
    assert Client().login(email=admin.email, password=password)  # nothing broken after


def test_other_errors_give_the_500_page_in_french():
    request = RequestFactory().get("/")
    token = request_id.set("abc123")
    try:
        with translation.override("fr"):
            try:
                raise ValueError("a bug")
            except ValueError:
                response = server_error(request)
    finally:
        request_id.reset(token)

    assert response.status_code == 500
    page = response.content.decode()
    assert "Une erreur est survenue de notre côté" in page
    assert "abc123" in page
    assert "a bug" not in page


@pytest.mark.django_db
def test_the_404_page_is_the_site_s_own_in_french(client):
    response = client.get("/cette-page-n-existe-pas/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    first = client.get("/sante/")["X-Request-ID"]
    second = client.get("/sante/")["X-Request-ID"]
    assert len(first) == 32 and first != second
    # An id from the proxy is kept when it is plain, replaced when it is not.
    assert client.get("/sante/", HTTP_X_REQUEST_ID="lb-1.2_3")["X-Request-ID"] == "lb-1.2_3"
    hostile = client.get("/sante/", HTTP_X_REQUEST_ID="x\n{\"level\": \"ERROR\"}")
    assert hostile["X-Request-ID"] != "x\n{\"level\": \"ERROR\"}"
    assert json.dumps(hostile["X-Request-ID"]).strip('"').isalnum()


SERVER_APP_NAME = "alliances-fault-test"


@pytest.fixture
def gunicorn_on_the_test_database(tmp_path):
    """A real server (gunicorn, one sync worker) on the test's PostgreSQL database; yields
    a GET function returning the status."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no server connection to lose")
    info = connection.settings_dict
    url = (f"postgres://{info['USER']}@{info['HOST'] or '127.0.0.1'}:{info['PORT'] or 5432}"
           f"/{info['NAME']}")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    # libpq names the server's connections: the test cuts those, and no other.
    env.update(DATABASE_URL=url, ALLIANCES_VAR_DIR=str(tmp_path), DEBUG="0",
               ALLIANCES_ENV="development", PGAPPNAME=SERVER_APP_NAME)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "alliances.wsgi:application", "--workers", "1",
         "--bind", f"127.0.0.1:{port}", "--no-control-socket"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )

    def get(path: str) -> int:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
                return r.status
        except urllib.error.HTTPError as error:
            return error.code

    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                get("/sante/")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(process.stdout.read()) from None
                time.sleep(0.25)
        yield get
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.django_db(transaction=True)
def test_after_postgresql_drops_every_connection_the_server_recovers_by_itself(
    gunicorn_on_the_test_database,
):
    """What a PostgreSQL restart does to a running server: its kept connections die. The
    next request finds out at its start (CONN_HEALTH_CHECKS), opens a new one and succeeds:
    no error page, no restart of the web workers."""
    from django.db import connection

    get = gunicorn_on_the_test_database
    assert get("/acteurs/") == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [SERVER_APP_NAME],
        )
        (terminated,) = cursor.fetchone()
    assert terminated == 1  # the server's kept connection

    assert [get("/acteurs/"), get("/healthz"), get("/acteurs/")] == [200, 200, 200]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/recherche/?q=co%00op", "/ressources/?q=a&type=%00",
                                  "/acteurs/%00/"])
def test_a_nul_character_in_the_address_is_a_clean_400(client, path):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert "Cette requête ne peut pas être lue" in response.content.decode()
