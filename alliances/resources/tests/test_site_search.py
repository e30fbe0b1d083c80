"""The header's search box and /recherche/: resources and organisations together."""

import re
from html import unescape

import pytest
from django.urls import reverse

from alliances.actors.models import OrganisationType
from alliances.actors.services import organisation_create
from alliances.resources.models import ResourceStatus
from alliances.resources.testing import make_resource

pytestmark = pytest.mark.django_db

URL = reverse("search")


def main_of(response) -> str:
    return unescape(response.content.decode().split("<main", 1)[1].split("</main>", 1)[0])


@pytest.fixture
def found(participant):
    for n in range(7):
        make_resource(by=participant, title=f"Coopération numéro {n}")
    make_resource(by=participant, title="Coopération en brouillon", status=ResourceStatus.DRAFT)
    make_resource(by=participant, title="Mécénat")
    for n in range(12):
        organisation_create(name=f"Pôle de coopération {n:02}", type=OrganisationType.ENTREPRISE)
    organisation_create(name="Coopération cachée", type=OrganisationType.ENTREPRISE,
                        is_public=False)
    organisation_create(name="Mairie", type=OrganisationType.COLLECTIVITE)


@pytest.mark.parametrize("url", ["/", "/acteurs/", "/ressources/", "/territoires/"])
def test_every_page_has_the_header_search_box(client, db, url):
    html = client.get(url).content.decode()
    header = html.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]
    assert '<form action="/recherche/" method="get" role="search"' in header
    assert '<label for="header-search-q" class="visually-hidden">' in header
    assert 'id="header-search-q"' in header and 'name="q"' in header
    assert 'aria-label="Recherche sur le site"' in header
    assert '<a href="/ressources/">Ressources</a>' in header


def test_it_finds_resources_and_organisations(client, found):
    response = client.get(URL, {"q": "cooperation"})
    assert response.status_code == 200
    html = main_of(response)
    resources = re.findall(r'class="resource-hit-title"><a href="/ressources/\d+/">(.+?)</a>',
                           html)
    assert len(resources) == 5  # the top five
    assert all("<mark>Coopération</mark>" in title for title in resources)
    assert "brouillon" not in html
    assert "7 ressources" in html
    assert 'href="/ressources/?q=cooperation">Voir les 7 ressources dans le centre' in html
    organisations = re.findall(r'<li><a href="/acteurs/\d+/">([^<]+)</a>', html)
    assert len(organisations) == 10
    assert "Coopération cachée" not in html and "Mairie" not in html
    assert "12 organisations" in html
    assert 'href="/acteurs/?q=cooperation"' in html


def test_nothing_found_says_so_with_links_onwards(client, found):
    html = main_of(client.get(URL, {"q": "zeppelin"}))
    assert "0 ressource" in html and "0 organisation" in html
    assert 'href="/ressources/">Parcourir le centre de ressources' in html


def test_no_query_asks_for_words(client, found, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get(URL)
    html = main_of(response)
    assert "Saisissez quelques mots" in html
    assert 'class="resource-hit-title"' not in html


def test_a_too_long_query_is_cut_with_a_notice(client, found):
    html = main_of(client.get(URL, {"q": "coopération " * 30}))
    assert "La recherche a été raccourcie à ses 200 premiers caractères." in html
    assert "7 ressources" in html


def test_the_query_is_shown_escaped(client, found):
    raw = client.get(URL, {"q": '"><script>alert(1)</script>'}).content.decode()
    main = raw.split("<main", 1)[1]
    assert "<script>alert" not in main
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in main


@pytest.mark.parametrize("who", [None, "admin", "animateur", "participant", "outsider"])
def test_everyone_gets_published_resources_and_public_organisations(client, found, request,
                                                                      who):
    if who:
        client.force_login(request.getfixturevalue(who))
    html = main_of(client.get(URL, {"q": "coopération"}))
    assert "7 ressources" in html and "12 organisations" in html
    assert "brouillon" not in html and "cachée" not in html


def test_it_rejects_post(client, db):
    assert client.post(URL, {"q": "x"}).status_code == 405


def test_query_count(client, found, django_assert_max_num_queries):
    # The engine's hits and count, the rows, the organisations and their count.
    with django_assert_max_num_queries(5):
        client.get(URL, {"q": "coopération"})
