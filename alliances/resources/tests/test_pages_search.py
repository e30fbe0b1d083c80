"""/ressources/: the search page (form without JS, htmx fragment, facets, pagination)."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import capfirst

from alliances.core.vocabularies import TagFamily
from alliances.resources.models import ResourceKind, ResourceStatus
from alliances.resources.testing import make_resource
from alliances.territories.models import Region

pytestmark = pytest.mark.django_db

URL = reverse("resources:index")


@pytest.fixture
def catalogue(participant):
    """Three resources on coopération (three spellings), one on mécénat, one draft."""
    idf, ara = Region.objects.get(pk="11"), Region.objects.get(pk="84")
    return {
        "associations": make_resource(
            by=participant, title="Les coopérations entre associations",
            kind=ResourceKind.FICHE, region=idf, issued_on=datetime.date(2024, 3, 1),
            tags=[("forme", "partenariats"), ("type", "cooperation_economique")],
        ),
        "locale": make_resource(
            by=participant, title="Cooperation economique locale", kind=ResourceKind.METHODE,
            region=ara, issued_on=datetime.date(2025, 6, 1),
            tags=[("type", "cooperation_economique")],
        ),
        "guide": make_resource(
            by=participant, title="Guide de la coopération", kind=ResourceKind.OUTIL,
            summary="Pour démarrer.", issued_on=datetime.date(2025, 1, 1),
            tags=[("metier", "accompagnements")],
        ),
        "mecenat": make_resource(
            by=participant, title="Mécénat de compétences", kind=ResourceKind.TEMOIGNAGE,
            summary="Une entreprise prête ses salariés.",
        ),
        "draft": make_resource(
            by=participant, title="Brouillon sur la coopération", status=ResourceStatus.DRAFT,
        ),
    }


def titles(html: str) -> list[str]:
    """The results' titles, in order, without their <mark>s."""
    found = re.findall(r'class="resource-hit-title"><a href="[^"]+">(.+?)</a>', html)
    return [unescape(strip_tags(title)) for title in found]


def text(response) -> str:
    return unescape(response.content.decode())


def test_empty_query_lists_every_published_resource_with_facets(client, catalogue):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert sorted(titles(html)) == sorted(
        ["Les coopérations entre associations", "Cooperation economique locale",
         "Guide de la coopération", "Mécénat de compétences"]
    )
    assert "Brouillon" not in html
    assert "4 ressources" in html
    # Facets with their counts and French labels, tags under their family's name.
    assert re.search(r"Fiche pratique\s*<span class=\"facet-count\">\(1\)", html)
    assert re.search(r"Coopération économique\s*<span class=\"facet-count\">\(2\)", html)
    assert f"<legend>{capfirst(TagFamily.TYPE.label)}</legend>" in html
    assert re.search(r"Île-de-France\s*<span class=\"facet-count\">\(1\)", html)
    assert re.search(r"2025\s*<span class=\"facet-count\">\(2\)", html)


def test_accents_and_plural_all_match(client, catalogue):
    for query in ("coopération", "coopérations", "cooperation", "COOPERATION"):
        html = client.get(URL, {"q": query}).content.decode()
        assert sorted(titles(html)) == sorted(
            ["Les coopérations entre associations", "Cooperation economique locale",
             "Guide de la coopération"]
        ), query
        assert "<mark>" in html


def test_results_keep_the_engines_rank_order(client, participant):
    # Made so that neither id order nor date order is the rank order (title > summary >
    # body).
    make_resource(by=participant, title="Un texte", summary="Rien.",
                  body="Parler de territoire sans fin.")
    make_resource(by=participant, title="Territoire en commun", summary="Rien.", body="Non.")
    make_resource(by=participant, title="Une note", summary="Le territoire d'abord.",
                  body="Non.")
    html = client.get(URL, {"q": "territoire"}).content.decode()
    assert titles(html) == ["Territoire en commun", "Une note", "Un texte"]


def test_a_facet_narrows_and_is_shown_removable(client, catalogue):
    html = client.get(URL, {"q": "coopération", "kind": "methode"}).content.decode()
    assert titles(html) == ["Cooperation economique locale"]
    assert 'value="methode" id="facet-kind-methode" checked' in html
    assert "Filtres actifs" in html
    # The removal link keeps the query and drops the filter.
    assert 'href="?q=coop%C3%A9ration" class' in html or 'href="?q=coop%C3%A9ration"' in html
    assert "Nature : méthode" in html


def test_filters_combine_and_across_families_or_within_one(client, catalogue):
    html = client.get(URL, {"kind": ["fiche", "methode"]}).content.decode()
    assert len(titles(html)) == 2
    html = client.get(URL, {"kind": ["fiche", "methode"], "annee": "2025"}).content.decode()
    assert titles(html) == ["Cooperation economique locale"]
    html = client.get(URL, {"tag": "type:cooperation_economique", "territoire": "11"}).content
    assert titles(html.decode()) == ["Les coopérations entre associations"]


def test_a_selected_facet_without_results_stays_untickable(client, catalogue):
    html = client.get(URL, {"q": "mécénat", "kind": "fiche"}).content.decode()
    assert titles(html) == []
    assert "Aucune ressource ne correspond à cette recherche." in html
    assert 'value="fiche" id="facet-kind-fiche" checked' in html


def test_typo_fallback_says_what_was_searched(client, catalogue):
    html = client.get(URL, {"q": "mecenar"}).content.decode()
    assert titles(html) == ["Mécénat de compétences"]
    assert "Résultats pour « mecenat »" in html


def test_pagination_keeps_query_and_filters(client, participant):
    for n in range(25):
        make_resource(by=participant, title=f"Fiche territoire {n:02}")
    first = client.get(URL, {"q": "territoire", "kind": "fiche"}).content.decode()
    assert len(titles(first)) == 20
    assert "page=2" in first and "kind=fiche" in first.split('rel="next"')[0].rsplit("href", 1)[1]
    second = client.get(URL, {"q": "territoire", "kind": "fiche", "page": 2}).content.decode()
    assert len(titles(second)) == 5
    assert set(titles(first)).isdisjoint(titles(second))
    assert 'start="21"' in second


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": "licorne"}, "Le filtre « Nature » n’a pas de valeur « licorne » : il a été"),
        ({"tag": "forme:rien"}, "n’a pas de valeur « forme:rien »"),
        ({"territoire": "99"}, "n’a pas de valeur « 99 »"),
        ({"annee": "deux-mille"}, "n’a pas de valeur « deux-mille »"),
        ({"page": "abc"}, "Le numéro de page n'est pas valide : voici la première page."),
        ({"page": "0"}, "Le numéro de page n'est pas valide"),
        ({"page": "99"}, "Cette page n'existe pas"),
        ({"q": "coopération " * 40}, "La recherche a été raccourcie"),
    ],
)
def test_bad_parameters_are_ignored_with_a_located_notice(client, catalogue, params, message):
    response = client.get(URL, params)
    assert response.status_code == 200
    html = text(response)
    assert 'class="message message-error"' in html
    assert message in html
    assert titles(html)  # the rest of the search still ran


def test_xss_payloads_render_inert_in_results(client, participant):
    make_resource(
        by=participant, title='<script>alert("t")</script> territoire',
        summary='<img src=x onerror=alert(1)> territoire résumé',
        body='[clic](javascript:alert(1)) <svg onload=alert(2)> territoire',
    )
    for params in ({"q": "territoire"}, {}, {"q": "alert"}):
        html = client.get(URL, params).content.decode()
        main = html.split('<main', 1)[1]
        assert "<script>alert" not in main
        assert "<img" not in main and "<svg" not in main
        assert "javascript:" not in main.replace("&quot;", "")
        assert "&lt;script&gt;" in main


def test_htmx_gets_the_results_fragment_only(client, catalogue):
    response = client.get(URL, {"q": "coopération"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html and 'name="q"' not in html
    assert len(titles(html)) == 3
    assert "HX-Request" in response["Vary"]
    history = client.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "1"})
    assert "<html" in history.content.decode()


def test_the_form_works_without_javascript_and_with_htmx(client, catalogue):
    html = client.get(URL).content.decode()
    assert '<form method="get" action="/ressources/"' in html
    assert 'hx-get="/ressources/" hx-target="#results"' in html and 'hx-push-url="true"' in html
    assert '<label for="id_q">' in html
    # Every facet checkbox has its label; a submit button applies them without JS.
    for box in re.findall(r'<input type="checkbox"[^>]*id="([^"]+)"', html):
        assert f'<label for="{box}">' in html
    assert "Appliquer les filtres" in html


@pytest.mark.parametrize("who", [None, "admin", "animateur", "participant", "outsider"])
def test_everyone_sees_published_resources_only(client, catalogue, who, request):
    if who:
        client.force_login(request.getfixturevalue(who))
    html = client.get(URL, {"q": "coopération"}).content.decode()
    assert len(titles(html)) == 3
    assert "Brouillon" not in html


def test_it_rejects_post(client, db):
    assert client.post(URL).status_code == 405


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "territoire"}, {"q": "territoire", "kind": "fiche", "territoire": "11",
                               "tag": "type:mecenat", "annee": "2025"}],
)
def test_query_count(client, participant, django_assert_max_num_queries, params):
    idf = Region.objects.get(pk="11")
    for n in range(30):
        make_resource(by=participant, title=f"Fiche territoire {n}", region=idf,
                      issued_on=datetime.date(2025, 1, 1), tags=[("type", "mecenat")])
    # tag vocabularies, the engine's hits and counts, the rows, the regions' names
    # (+1 to check the filter's region)
    with django_assert_max_num_queries(6):
        response = client.get(URL, params)
    assert len(titles(response.content.decode())) == 20


@pytest.mark.parametrize(
    ("who", "links"),
    [
        (None, set()),
        ("outsider", {"propose", "my_contributions"}),
        ("participant", {"propose", "my_contributions"}),
        ("animateur", {"propose", "my_contributions", "review_queue"}),
        ("admin", {"propose", "my_contributions", "review_queue"}),
    ],
)
def test_contribution_links_by_role(client, db, request, who, links):
    if who:
        client.force_login(request.getfixturevalue(who))
    html = client.get(URL).content.decode().split("<main", 1)[1]
    for name in ("propose", "my_contributions", "review_queue"):
        assert (f'href="{reverse(f"resources:{name}")}"' in html) == (name in links), name
    assert f'href="{reverse("resources:opendata_csv")}"' in html
    assert f'href="{reverse("resources:opendata_json")}"' in html
