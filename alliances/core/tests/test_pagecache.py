"""The public pages' cache: shared by anonymous visitors, dropped by every write."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliances.actors.models import OrganisationType
from alliances.actors.services import organisation_create, organisation_update
from alliances.actors.tests.fixtures import *  # noqa: F403

URL = "/territoires/departement/94/"


def queries_for(client, url, **headers) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_second_anonymous_visit_costs_one_query(client, organisation):
    first, body = queries_for(client, URL)
    assert first > 1 and organisation.name in body
    again, body_again = queries_for(client, URL)
    assert again == 1  # the generation number
    assert body_again == body


def test_a_write_drops_the_cached_pages(client, organisation, django_capture_on_commit_callbacks):
    queries_for(client, URL)
    with django_capture_on_commit_callbacks(execute=True):
        organisation_update(organisation=organisation, data={"name": "Nouveau nom solidaire"})
    count, body = queries_for(client, URL)
    assert count > 1
    assert "Nouveau nom solidaire" in body


def test_a_new_organisation_appears_at_once(client, vincennes, django_capture_on_commit_callbacks):
    queries_for(client, URL)
    with django_capture_on_commit_callbacks(execute=True):
        organisation_create(
            name="Tiers-lieu des Vignes", type=OrganisationType.CATALYSEUR, commune=vincennes
        )
    assert "Tiers-lieu des Vignes" in queries_for(client, URL)[1]


def test_signed_in_people_always_get_a_fresh_page(client, participant, organisation):
    client.force_login(participant)
    queries_for(client, URL)
    count, body = queries_for(client, URL)
    assert count > 1
    assert str(participant) in body


def test_the_htmx_fragment_and_the_page_are_cached_apart(client, organisation):
    _, page = queries_for(client, URL)
    _, fragment = queries_for(client, URL, HX_Request="true")
    assert "<html" in page and "<html" not in fragment


def test_each_language_has_its_own_copy(client, organisation):
    _, french = queries_for(client, URL)
    client.cookies["django_language"] = "en"
    _, english = queries_for(client, URL)
    assert 'lang="fr"' in french and 'lang="en"' in english


@pytest.mark.parametrize("url", [URL, "/acteurs/", "/territoires/"])
def test_cached_pages_hold_no_csrf_token(client, organisation, url):
    _, body = queries_for(client, url)
    assert "csrfmiddlewaretoken" not in body and "X-CSRFToken" not in body


def test_language_switch_works_without_a_token(client, db):
    client.handler.enforce_csrf_checks = True
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "en"


def test_the_generation_moves_with_the_write_transaction(organisation):
    from alliances.core.pagecache import current_generation

    before = current_generation()
    organisation_update(organisation=organisation, data={"address": "3 rue de la Paix"})
    assert current_generation() == before + 1
