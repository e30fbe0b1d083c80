import pytest
from django.urls import reverse

from alliances.actors.models import OrganisationType
from alliances.actors.services import organisation_create

URL = reverse("actors:index")


def test_it_lists_public_actors_only(client, organisation, hidden_organisation):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert organisation.name in html
    assert hidden_organisation.name not in html
    assert html.count("<h1") == 1
    assert '<html lang="fr"' in html


def test_it_rejects_post(client, db):
    assert client.post(URL).status_code == 405


def test_search_is_accent_insensitive(client, organisation, many_organisations):
    organisation_create(name="Société Générale d'Éducation", type=OrganisationType.ENTREPRISE)
    html = client.get(URL, {"q": "SOCIETE generale"}).content.decode()
    assert "Société Générale d&#x27;Éducation" in html
    assert organisation.name not in html
    assert "Acteur 00" not in html


def test_filters_by_type_and_fragility(client, organisation, many_organisations):
    html = client.get(URL, {"type": "fondation"}).content.decode()
    assert "Acteur 01" in html  # 1 % 9 types → fondation
    assert "Acteur 00" not in html
    html = client.get(URL, {"fragility": "lien-social"}).content.decode()
    assert organisation.name in html
    assert "Acteur 00" not in html
    # Fragility names are French data, shown on each result.
    assert "Lien social" in html


def test_it_paginates_by_25(client, many_organisations):
    first = client.get(URL).content.decode()
    assert "Acteur 00" in first and "Acteur 24" in first and "Acteur 25" not in first
    assert 'aria-current="page"' in first
    assert "?page=2" in first
    third = client.get(URL, {"page": 3}).content.decode()
    assert "Acteur 50" in third and "Acteur 59" in third


def test_pagination_keeps_the_filters(client, many_organisations):
    html = client.get(URL, {"fragility": "emploi"}).content.decode()
    # 30 actors have emploi among their two domains: two pages.
    assert "fragility=emploi&amp;page=2" in html or "page=2&amp;fragility=emploi" in html


@pytest.mark.parametrize(
    "params",
    [
        {"type": "inconnu"},
        {"fragility": "nope"},
        {"page": "abc"},
        {"page": "0"},
        {"page": "999"},
        {"q": "x" * 500},
        {"type": "association", "fragility": "<script>", "page": "-1"},
    ],
)
def test_bad_filter_values_are_ignored_with_a_visible_notice(client, many_organisations, params):
    response = client.get(URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="message message-error"' in html
    assert "<script>" not in html.split("<main", 1)[1].replace('<script src="', "")


def test_an_invalid_filter_is_marked_on_its_field(client, many_organisations):
    html = client.get(URL, {"type": "inconnu"}).content.decode()
    assert 'aria-invalid="true" aria-describedby="id_type_error"' in html
    assert 'id="id_type_error"' in html


def test_htmx_gets_the_results_fragment_only(client, organisation):
    response = client.get(URL, {"q": "maison"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="results"')
    assert organisation.name in html
    assert "<html" not in html and "<form" not in html
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(client, organisation):
    response = client.get(
        URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_the_filter_form_works_without_javascript(client, db):
    html = client.get(URL).content.decode()
    assert '<form method="get" action="/acteurs/"' in html
    assert 'hx-get="/acteurs/"' in html and 'hx-target="#results"' in html
    assert 'hx-push-url="true"' in html
    for name in ("q", "type", "fragility"):
        assert f'<label for="id_{name}">' in html
    assert " style=" not in html and "hx-on" not in html


def test_add_link_only_for_signed_in_users(client, participant, db):
    assert reverse("actors:create") not in client.get(URL).content.decode()
    client.force_login(participant)
    assert reverse("actors:create") in client.get(URL).content.decode()


@pytest.mark.parametrize(
    "params", [{}, {"type": "association"}, {"fragility": "emploi", "q": "act"}]
)
def test_query_count(
    client, participant, many_organisations, django_assert_max_num_queries, params
):
    client.force_login(participant)
    with django_assert_max_num_queries(10):
        response = client.get(URL, params)
    assert response.status_code == 200
