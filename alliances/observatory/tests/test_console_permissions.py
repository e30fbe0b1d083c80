"""Who may see and who may change in the analyst's console, through HTTP: personas × every
console route, on an unpublished and on a published wave.

Personas: anonymous; a participant; another analyst (not the survey's owner); the owner, an
analyst; a platform admin. Cells: L — sent to the sign-in page; a status code otherwise:
404 when the viewer may not even see the wave, 403 when they see it (analysts see every
wave; everyone sees a published one) but may not manage it, 200 for a page, 302 for a
change done (then the page). A refused change leaves the wave as it was.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse

from alliances.accounts.models import User
from alliances.accounts.services import user_create
from alliances.observatory.models import Invitation, ResponseBatch, Wave
from alliances.observatory.services import wave_publish
from alliances.observatory.testing import make_wave

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "participant", "other", "owner", "admin")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def other(db, password) -> User:
    return user_create(email="analyste2@example.org", password=password,
                       role=User.Role.ANALYSTE, display_name="Bruno Analyste")


@pytest.fixture
def people(admin, analyste, participant, other) -> dict[str, User | None]:
    return {"anonymous": None, "participant": participant, "other": other,
            "owner": analyste, "admin": admin}


@pytest.fixture
def wave(analyste) -> Wave:
    wave = make_wave(analyste, n=60)
    batch = ResponseBatch.objects.get(wave=wave)
    batch.source.save("reponses.csv", ContentFile(b"region,q4\n11,oui\n"), save=False)
    batch.rejected_file.save("rejets.csv", ContentFile(b"region,q4,erreurs\n"), save=False)
    batch.save()
    return wave


@dataclass
class Route:
    name: str
    method: str
    url: Callable[[Wave], str]
    data: Callable[[Wave], dict[str, Any]] | None = None
    draft: str = ""  # the expected row on an unpublished wave
    published: str = ""  # on a published one


def _batch(wave: Wave) -> int:
    return ResponseBatch.objects.get(wave=wave).pk


READ = "L 404 403 200 200"
READ_PUBLISHED = "L 403 403 200 200"
WRITE = "L 404 403 302 302"
WRITE_PUBLISHED = "L 403 403 302 302"

ROUTES = [
    Route("survey page", "get", lambda w: reverse("observatory:console_survey",
                                                  args=[w.survey.slug]),
          draft="L 404 403 200 200", published="L 404 403 200 200"),
    Route("wave page", "get", lambda w: reverse("observatory:console_wave", args=[w.pk]),
          draft=READ, published=READ_PUBLISHED),
    Route("batch", "get", lambda w: reverse("observatory:console_batch", args=[_batch(w)]),
          draft=READ, published=READ_PUBLISHED),
    Route("batch file", "get",
          lambda w: reverse("observatory:console_batch_source", args=[_batch(w)]),
          draft=READ, published=READ_PUBLISHED),
    Route("rejected rows", "get",
          lambda w: reverse("observatory:console_batch_rejected", args=[_batch(w)]),
          draft=READ, published=READ_PUBLISHED),
    Route("open link", "post", lambda w: reverse("observatory:console_open_link", args=[w.pk]),
          lambda w: {"open": "1"}, draft=WRITE, published=WRITE_PUBLISHED),
    Route("status", "post", lambda w: reverse("observatory:console_wave_status", args=[w.pk]),
          lambda w: {"status": "close"}, draft=WRITE, published=WRITE_PUBLISHED),
    Route("rake", "post", lambda w: reverse("observatory:console_rake", args=[w.pk]),
          lambda w: {"text": "variable,category,share\nregion,11,40\nregion,84,30\n"
                             "region,53,30\n"},
          # A published wave is not raked again: the owner gets the page back (409).
          draft=WRITE, published="L 403 403 409 409"),
    Route("unrake", "post", lambda w: reverse("observatory:console_unrake", args=[w.pk]),
          lambda w: {}, draft=WRITE, published="L 403 403 409 409"),
]


def _fetch(client, user: User | None, route: Route, wave: Wave):
    client.logout()
    if user is not None:
        client.force_login(user)
    url = route.url(wave)
    if route.method == "get":
        return client.get(url)
    return client.post(url, route.data(wave) if route.data else {})


def _snapshot(wave: Wave) -> tuple:
    wave.refresh_from_db()
    return (wave.status, wave.open_link, wave.margins, wave.data_version,
            Invitation.objects.filter(wave=wave).count())


@pytest.mark.parametrize("published", [False, True], ids=["draft", "published"])
@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_who_may_see_and_change_a_wave(client, people, wave, analyste, route, published):
    if published:
        wave_publish(wave=wave, by=analyste)
    expected = (route.published if published else route.draft).split()
    before = _snapshot(wave)
    for persona, cell in zip(PERSONAS, expected, strict=True):
        with transaction.atomic():
            response = _fetch(client, people[persona], route, wave)
            if cell == "L":
                assert response.status_code == 302, persona
                assert response["Location"].startswith("/compte/login/"), persona
            else:
                assert response.status_code == int(cell), (persona, response.status_code)
            if cell != "302" and route.method == "post":
                assert _snapshot(wave) == before, persona
            transaction.set_rollback(True)


def test_downloads_are_attachments_of_the_kept_files(client, analyste, wave):
    client.force_login(analyste)
    batch = ResponseBatch.objects.get(wave=wave)
    response = client.get(reverse("observatory:console_batch_source", args=[batch.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"region,q4\n11,oui\n"
    assert response["X-Content-Type-Options"] == "nosniff"
    rejected = client.get(reverse("observatory:console_batch_rejected", args=[batch.pk]))
    assert 'filename="sample.rejets.csv"' in rejected["Content-Disposition"]


def test_a_batch_without_a_rejected_file_has_none_to_download(client, analyste, wave):
    batch = ResponseBatch.objects.get(wave=wave)
    ResponseBatch.objects.filter(pk=batch.pk).update(rejected_file="")
    client.force_login(analyste)
    response = client.get(reverse("observatory:console_batch_rejected", args=[batch.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("persona,expected", [
    ("anonymous", "L"), ("participant", 403), ("other", 200), ("owner", 200), ("admin", 200),
])
def test_the_console_is_for_analysts_each_seeing_their_own(client, people, wave, persona,
                                                           expected):
    user = people[persona]
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("observatory:console"))
    if expected == "L":
        assert response.status_code == 302
        assert response["Location"].startswith("/compte/login/")
        return
    assert response.status_code == expected
    if expected == 200:
        listed = 'data-survey="maires"' in response.content.decode()
        # Another analyst does not find someone else's survey in their list.
        assert listed is (persona in {"owner", "admin"})


def test_only_analysts_create_surveys(client, participant, other):
    data = {"slug": "x", "title": "X", "population": "maires", "scope": "national"}
    client.force_login(participant)
    assert client.post(reverse("observatory:console"), data).status_code == 403
    client.force_login(other)
    response = client.post(reverse("observatory:console"), data)
    assert response.status_code == 302
    from alliances.observatory.models import Survey

    assert Survey.objects.get(slug="x").owner == other
    assert Survey.objects.count() == 1


def test_another_analyst_may_not_add_a_wave_to_a_survey(client, other, wave):
    client.force_login(other)
    response = client.post(reverse("observatory:console_survey", args=[wave.survey.slug]),
                           {"label": "2026"})
    assert response.status_code == 403
    assert Wave.objects.count() == 1
