import pytest
from django.urls import reverse

from alliances.actors.models import OrganisationType
from alliances.actors.services import organisation_create
from alliances.actors.tests.fixtures import *  # noqa: F403


def test_index_lists_regions_with_their_departements(client, val_de_marne):
    response = client.get(reverse("territories:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert 'href="/territoires/region/11/"' in html
    assert 'href="/territoires/departement/94/"' in html
    assert '<label for="commune-q">' in html


def test_index_searches_communes_without_accents(client, creteil, vincennes):
    html = client.get(reverse("territories:index"), {"q": "CRETEIL"}).content.decode()
    assert 'href="/territoires/commune/94028/"' in html
    assert 'href="/territoires/commune/94080/"' not in html


def test_index_limits_the_commune_search_to_50(client, val_de_marne):
    from alliances.territories.models import Commune

    for i in range(55):
        Commune.objects.get_or_create(
            code=f"94{900 + i}", defaults={"name": f"Testville {i}", "departement": val_de_marne}
        )
    html = client.get(reverse("territories:index"), {"q": "testville"}).content.decode()
    assert html.count('href="/territoires/commune/94') == 50


def test_index_with_a_search_without_result(client, db):
    response = client.get(reverse("territories:index"), {"q": "zzzzzz" * 50})
    assert response.status_code == 200


def test_region_page(client, organisation, many_organisations, val_de_marne, lyon):
    response = client.get(reverse("territories:region", args=["11"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert 'class="breadcrumb"' in html
    assert 'href="/territoires/departement/94/"' in html
    # Lyon's actors (every fourth, from Acteur 03) are not in Île-de-France.
    assert "Acteur 03" not in html
    assert "Acteur 00" in html


def test_departement_page(client, organisation, many_organisations, montreuil):
    html = client.get(reverse("territories:departement", args=["94"])).content.decode()
    assert 'href="/territoires/region/11/"' in html
    assert "Acteur 00" in html and "Acteur 01" in html  # Vincennes, Créteil
    assert "Acteur 02" not in html  # Montreuil is in Seine-Saint-Denis


def test_commune_page(client, organisation, hidden_organisation, many_organisations):
    html = client.get(reverse("territories:commune", args=["94080"])).content.decode()
    assert "49" in html and "788" in html  # population
    assert 'href="/territoires/departement/94/"' in html
    assert 'href="/territoires/region/11/"' in html
    assert 'aria-current="page"' in html
    assert organisation.name in html
    assert hidden_organisation.name not in html
    assert "Acteur 00" in html and "Acteur 01" not in html


@pytest.mark.parametrize(
    "url", ["/territoires/region/99/", "/territoires/departement/00/", "/territoires/commune/x/"]
)
def test_unknown_territories_are_not_found(client, db, url):
    assert client.get(url).status_code == 404


def test_filters_on_a_territory_page(client, organisation, many_organisations):
    url = reverse("territories:departement", args=["94"])
    html = client.get(url, {"type": "association"}).content.decode()
    assert organisation.name in html and "Acteur 00" in html and "Acteur 01" not in html
    html = client.get(url, {"fragility": "jeunesse"}).content.decode()
    assert organisation.name in html and "Acteur 00" not in html
    html = client.get(url, {"q": "MAISON des associations"}).content.decode()
    assert organisation.name in html and "Acteur 00" not in html


def test_accent_insensitive_search(client, vincennes):
    organisation_create(name="Théâtre de l'Œuvre", type=OrganisationType.ASSOCIATION,
                        commune=vincennes)
    html = client.get(reverse("territories:commune", args=["94080"]), {"q": "theatre de l'oeuvre"})
    assert "Théâtre de l&#x27;Œuvre" in html.content.decode()


@pytest.mark.parametrize(
    "params", [{"type": "zz"}, {"fragility": "zz"}, {"page": "abc"}, {"page": "1000"}]
)
def test_bad_filter_values_are_ignored_with_a_notice(client, many_organisations, params):
    response = client.get(reverse("territories:region", args=["11"]), params)
    assert response.status_code == 200
    assert 'class="message message-error"' in response.content.decode()


def test_htmx_gets_the_results_partial(client, organisation, many_organisations):
    url = reverse("territories:commune", args=["94080"])
    response = client.get(url, {"type": "association"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "<h1" not in html and "<html" not in html
    assert organisation.name in html
    assert "HX-Request" in response["Vary"]


def test_territory_pages_paginate(client, many_organisations):
    # 45 actors are in Île-de-France (three communes of four): two pages of 25.
    url = reverse("territories:region", args=["11"])
    html = client.get(url).content.decode()
    assert "?page=2" in html
    html = client.get(url, {"page": 2}).content.decode()
    assert 'aria-current="page"' in html


@pytest.mark.parametrize(
    "url",
    [
        "/territoires/",
        "/territoires/?q=vin",
        "/territoires/region/11/",
        "/territoires/departement/94/",
        "/territoires/commune/94080/",
        "/territoires/commune/94080/?type=association&fragility=emploi&q=act&page=1",
    ],
)
def test_query_count(client, participant, many_organisations, django_assert_max_num_queries, url):
    client.force_login(participant)
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
