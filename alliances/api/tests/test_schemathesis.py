"""Every operation of /api/v1, fuzzed by schemathesis from the OpenAPI document the app
serves (issue 8): no answer is a 5xx, every status is one the document declares and every
body conforms to the declared schema.

The demo data set is loaded once for the module, inside a transaction rolled back at the
end, so that the generated requests meet real territories, organisations, alliances, a
cohort with sessions and published survey waves. Each generated request is sent three
times: anonymously, as the demo participant (a member of the cohort) and as the demo
analyst (who also sees unpublished waves and small cells): the API reads the session.

Hypothesis runs derandomized and without its example database, so CI replays the same
requests every time.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client, override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from alliances.accounts.models import User
from alliances.core.demo_data import demo_load
from alliances.journeys.models import Cohort
from alliances.observatory.models import Wave
from alliances.partnerships.models import Alliance
from alliances.resources.models import Resource
from alliances.wsgi import application

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
SIGNED_IN = ["participant@alliances.localhost", "analyste@alliances.localhost"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data set, loaded once for the module and rolled back after it."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        with transaction.atomic():
            demo_load()
            yield
            transaction.set_rollback(True)


@pytest.fixture
def raw_wsgi():
    """schemathesis calls the WSGI application itself, whose request signals would close
    the connection held in the test's transaction: unhooked for the test, as the test
    client does around each of its requests (and hooks back after them, hence per test)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def session_cookies(demo, db, raw_wsgi) -> list[dict[str, str]]:
    """No cookie (anonymous), then one session cookie per signed-in demo account."""
    cookies: list[dict[str, str]] = [{}]
    for email in SIGNED_IN:
        client = Client()
        client.force_login(User.objects.get(email=email))
        cookies.append({"sessionid": client.cookies["sessionid"].value})
    return cookies


# The document is served without touching the database: it can be read at collection.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@schema.parametrize()
@settings(
    # CI runs 20 requests per operation; FUZZ_EXAMPLES=500 hunts longer on a workstation.
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 20)),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, session_cookies):
    for cookies in session_cookies:
        case.call_and_validate(cookies=cookies, checks=CHECKS)


def test_the_document_declares_the_error_answers(client, db):
    """Regression (found by schemathesis): a refused parameter answered an undocumented 400
    and a missing object an undocumented 404."""
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path, operations in paths.items():
        for operation in operations.values():
            assert "400" in operation["responses"], path
            assert ("404" in operation["responses"]) == ("{" in path), path
    response = client.get("/api/v1/territories/communes?departement=00")
    assert response.status_code == 400
    assert response.json() == {"detail": "Unknown département: 00"}


@pytest.mark.parametrize(
    ("url", "where"),
    [
        ("/api/v1/resources?territoire=4%00", "query"),  # was a 500 on PostgreSQL
        ("/api/v1/organisations?q=a%00b", "query"),
        ("/api/v1/alliances?fragility=%00", "query"),
        ("/api/v1/alliances?x%00=1", "query"),
        ("/api/v1/observatory/surveys/a%00/questions/q/evolution", "path"),
    ],
)
def test_a_nul_character_in_a_parameter_is_a_400(client, db, url, where):
    """Regression (found by schemathesis): PostgreSQL refuses text holding NUL, so a query
    with one ended in a 500."""
    response = client.get(url)
    assert response.status_code == 400
    assert response.json() == {
        "message": "Invalid request parameters.",
        "detail": [{"loc": [where], "msg": "A parameter holds a NUL character."}],
    }


def _real_requests() -> list[tuple[str, dict, dict]]:
    """(path, path parameters, query) naming the demo's own objects, which random ids and
    codes seldom hit: every alliance, resource and cohort, every wave and question of the
    observatory with its attributes as breakdowns."""
    requests: list[tuple[str, dict, dict]] = []
    for pk in Alliance.objects.values_list("pk", flat=True):
        requests.append(("/api/v1/alliances/{alliance_id}", {"alliance_id": pk}, {}))
    for pk in Resource.objects.values_list("pk", flat=True)[:20]:
        requests.append(("/api/v1/resources/{resource_id}", {"resource_id": pk}, {}))
    for pk in Cohort.objects.values_list("pk", flat=True):
        requests.append(("/api/v1/cohorts/{cohort_id}/sessions", {"cohort_id": pk}, {}))
    for wave in Wave.objects.select_related("survey"):
        requests.append(("/api/v1/observatory/waves/{wave_id}", {"wave_id": wave.pk}, {}))
        asked = list(wave.questions.select_related("question"))
        attributes = [q.question.code for q in asked if q.is_attribute]
        for question in asked:
            code = question.question.code
            for by in [[], attributes[:2]]:
                requests.append((
                    "/api/v1/observatory/waves/{wave_id}/questions/{code}/results",
                    {"wave_id": wave.pk, "code": code}, {"by": by},
                ))
            requests.append((
                "/api/v1/observatory/surveys/{slug}/questions/{code}/evolution",
                {"slug": wave.survey.slug, "code": code}, {},
            ))
    return requests


def test_the_demo_objects_answer_as_documented(session_cookies):
    """Each of the demo's objects through every operation that names one, for each
    account: the answers (200, or 404 when not visible) conform to the document. The
    generated requests above seldom name a real object: their 200s are checked here."""
    requests = _real_requests()
    assert len(requests) > 50
    anonymous, participant, analyst = session_cookies
    for path, parameters, query in requests:
        # The observatory reads no membership: the participant sees what anyone sees.
        accounts = [anonymous, analyst] if "observatory" in path else session_cookies
        for cookies in accounts:
            case = schema[path]["GET"].Case(path_parameters=parameters, query=query)
            case.call_and_validate(cookies=cookies, checks=CHECKS)
