"""The map of a territory's actors: who is on it, where (own point, commune centre with a
spiral offset, or nowhere), the list that stands for it without JavaScript, the type filter,
bad paths and values, French, query counts, the payload's size, the tile settings and CSP."""

import html
import json
import math
import os
import subprocess
import sys

import pytest

from alliances.actors.models import Organisation
from alliances.actors.models import OrganisationType as T
from alliances.actors.services import organisation_create
from alliances.actors.tests.fixtures import make_commune
from alliances.lib.text import fold
from alliances.partnerships.map_views import SPIRAL_STEP, spiral_offset
from alliances.territories.models import Commune

pytestmark = pytest.mark.django_db

PAGE = "/alliances/carte/departement/94/"
DATA = "/alliances/carte/departement/94/donnees.json"
VINCENNES = (48.8474, 2.4396)
CRETEIL = (48.7904, 2.4556)


def centre(commune: Commune, point: tuple[float, float] | None) -> None:
    lat, lng = point if point else (None, None)
    Commune.objects.filter(pk=commune.pk).update(latitude=lat, longitude=lng)


@pytest.fixture
def actors(organisation, hidden_organisation, vincennes, creteil, val_de_marne):
    """In Val-de-Marne: the association of Vincennes (public, the participant's) at its own
    point; a private association (the participant's) and two companies at Vincennes'
    centre; a town hall of Créteil at Créteil's centre; a company of Maisons-Alfort, whose
    commune has no centre: not on the map."""
    centre(vincennes, VINCENNES)
    centre(creteil, CRETEIL)
    alfort = make_commune("94046", "Maisons-Alfort", val_de_marne, 55_000)
    Organisation.objects.filter(pk=organisation.pk).update(latitude=48.85, longitude=2.44)
    return {
        "association": organisation,
        "hidden": hidden_organisation,
        "company": organisation_create(name="Boulangerie Martin", type=T.ENTREPRISE,
                                       commune=vincennes),
        "garage": organisation_create(name="Garage du Château", type=T.ENTREPRISE,
                                      commune=vincennes),
        "town": organisation_create(name="Mairie de Créteil", type=T.COLLECTIVITE,
                                    commune=creteil),
        "nowhere": organisation_create(name="Imprimerie d'Alfort", type=T.ENTREPRISE,
                                       commune=alfort),
    }


def markers(client) -> dict[str, list]:
    body = client.get(DATA).json()
    return {row[1]: row for row in body["actors"]}


def test_the_data_is_compact_and_complete(client, actors):
    response = client.get(DATA)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["columns"] == ["id", "name", "type", "lat", "lng", "approximate"]
    assert body["types"][0] == "association" and len(body["types"]) == len(T)
    assert body["detail"] == "/acteurs/{id}/"
    by_name = {row[1]: row for row in body["actors"]}
    assert set(by_name) == {"Maison des associations de Vincennes", "Boulangerie Martin",
                            "Garage du Château", "Mairie de Créteil"}
    assert body["unlocated"] == 1
    association = by_name["Maison des associations de Vincennes"]
    assert association == [actors["association"].pk, association[1], 0, 48.85, 2.44, 0]
    town = by_name["Mairie de Créteil"]
    assert town[2] == body["types"].index("collectivite")
    assert (town[3], town[4], town[5]) == (*CRETEIL, 1)  # the first of its commune: the centre
    # Not escaped: names travel as UTF-8, shorter.
    assert "Château".encode() in response.content


def test_actors_of_one_commune_do_not_stack(client, actors):
    found = markers(client)
    first, second = found["Boulangerie Martin"], found["Garage du Château"]
    assert (first[3], first[4]) == VINCENNES
    assert (second[3], second[4]) != VINCENNES and second[5] == 1
    distance = math.dist(VINCENNES, (second[3], second[4] * 1))
    assert 0 < distance < 3 * SPIRAL_STEP
    assert markers(client) == found  # deterministic


def test_the_spiral_spreads_points_apart():
    points = [spiral_offset(k, 48.8) for k in range(200)]
    assert points[0] == (0.0, 0.0)
    assert len({(round(a, 6), round(b, 6)) for a, b in points}) == 200
    nearest = min(math.dist(p, q) for i, p in enumerate(points) for q in points[i + 1:])
    assert nearest > SPIRAL_STEP / 4
    assert max(math.dist((0, 0), p) for p in points) < SPIRAL_STEP * 15 * 1.6


@pytest.mark.parametrize("persona,sees_private", [
    ("anonymous", False), ("outsider", False), ("analyste", False),
    ("participant", True), ("admin", True),
])
def test_private_organisations_only_for_their_members_and_admins(
    client, actors, persona, sees_private, request
):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    assert ("Collectif discret" in markers(client)) is sees_private
    page = client.get(PAGE).content.decode()
    assert ("Collectif discret" in page) is sees_private


def test_the_list_stands_for_the_map_without_javascript(client, actors):
    response = client.get(PAGE)
    assert response.status_code == 200
    content = response.content.decode()
    for name in ("Maison des associations de Vincennes", "Boulangerie Martin",
                 "Mairie de Créteil", "Imprimerie d&#x27;Alfort"):
        assert name in content
    assert f'href="/acteurs/{actors["nowhere"].pk}/"' in content
    assert "position propre" in content and "centre de la commune" in content
    assert "sans localisation" in content
    assert "1 acteur n'a pas de localisation" in html.unescape(content)
    assert 'role="region"' in content and 'aria-label="Carte des acteurs de Val-de-Marne' in (
        content)
    assert '<noscript>' in content


def test_the_type_filter_narrows_the_list(client, actors):
    response = client.get(PAGE, {"type": "entreprise", "f": "1"})
    names = [o.name for o in response.context["page"]]
    assert names == ["Boulangerie Martin", "Garage du Château", "Imprimerie d'Alfort"]
    types = {t.code: (t.count, t.checked) for t in response.context["types"]}
    assert types == {"association": (1, False), "entreprise": (3, True),
                     "collectivite": (1, False)}
    content = response.content.decode()
    assert 'id="map-type-entreprise" checked' in content
    assert 'id="map-type-association">' in content


def test_no_type_ticked_lists_no_actor(client, actors):
    response = client.get(PAGE, {"f": "1"})
    assert response.context["page"].paginator.count == 0
    assert "Aucun acteur ne correspond" in response.content.decode()


def test_an_unknown_type_is_ignored_with_a_notice(client, actors):
    response = client.get(PAGE, {"type": ["licorne", "collectivite"], "f": "1"})
    assert response.status_code == 200
    assert [o.name for o in response.context["page"]] == ["Mairie de Créteil"]
    content = response.content.decode()
    assert 'role="alert"' in content and "licorne" in content


def test_htmx_gets_the_list_only(client, actors):
    response = client.get(PAGE, {"type": "collectivite", "f": "1"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="map-list"')
    assert "Mairie de Créteil" in content and "<h1>" not in content
    assert "HX-Request" in response["Vary"]


def test_pages_of_a_hundred(client, creteil, val_de_marne):
    centre(creteil, CRETEIL)
    Organisation.objects.bulk_create(
        Organisation(name=f"Acteur {i:03d}", search_name=fold(f"Acteur {i:03d}"),
                     type=T.ASSOCIATION, commune=creteil, departement=val_de_marne,
                     region=val_de_marne.region)
        for i in range(130)
    )
    first = client.get(PAGE)
    assert len(first.context["page"]) == 100
    assert 'rel="next"' in first.content.decode()
    second = client.get(PAGE, {"page": "2"})
    assert [o.name for o in second.context["page"]][0] == "Acteur 100"
    assert client.get(PAGE, {"page": "abc"}).context["page"].number == 1


@pytest.mark.parametrize("path", [
    "/alliances/carte/departement/00/", "/alliances/carte/commune/99999/",
    "/alliances/carte/planete/94/", "/alliances/carte/departement/00/donnees.json",
    "/alliances/carte/canton/94/donnees.json",
])
def test_an_unknown_territory_is_not_found(client, val_de_marne, path):
    assert client.get(path).status_code == 404


def test_only_get(client, val_de_marne):
    assert client.post(PAGE).status_code == 405
    assert client.post(DATA).status_code == 405


def test_a_commune_and_a_region(client, actors, creteil):
    assert [row[1] for row in client.get(
        "/alliances/carte/commune/94028/donnees.json").json()["actors"]] == ["Mairie de Créteil"]
    region = client.get("/alliances/carte/region/11/donnees.json").json()
    assert len(region["actors"]) == 4


def test_the_page_is_in_french(client, actors):
    content = html.unescape(client.get(PAGE).content.decode())
    for words in ("Carte des acteurs", "Types d'acteurs", "Les acteurs, sous forme de liste",
                  "Aucun fond de carte", "Ouvrir la fiche", "Zoom avant", "Entreprise",
                  "Qui travaille avec qui ?"):
        assert words in content, words


def make_many(val_de_marne, creteil, vincennes, count):
    communes = [creteil, vincennes]
    types = list(T)
    Organisation.objects.bulk_create(
        Organisation(name=f"Association sportive et culturelle n° {i} du Val-de-Marne",
                     search_name=fold(f"Association {i}"), type=types[i % len(types)],
                     commune=communes[i % 2], departement=val_de_marne,
                     region=val_de_marne.region)
        for i in range(count)
    )


@pytest.mark.parametrize("persona", ["anonymous", "participant"])
def test_query_counts_do_not_grow(
    client, actors, val_de_marne, creteil, vincennes, persona, request,
    django_assert_max_num_queries,
):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    signed_in = 0 if persona == "anonymous" else 2
    for size in (0, 300):
        make_many(val_de_marne, creteil, vincennes, size)
        # territory, markers
        with django_assert_max_num_queries(2 + signed_in):
            assert client.get(DATA).status_code == 200
        # territory, counts by type, list count, list page (+ unread notifications)
        with django_assert_max_num_queries(4 + signed_in + (signed_in and 1)):
            assert client.get(PAGE).status_code == 200


def test_five_thousand_actors_weigh_under_a_megabyte(client, val_de_marne, creteil, vincennes):
    centre(creteil, CRETEIL)
    centre(vincennes, VINCENNES)
    make_many(val_de_marne, creteil, vincennes, 5000)
    response = client.get(DATA)
    assert len(response.json()["actors"]) == 5000
    assert len(response.content) < 1_000_000


# -- tiles -----------------------------------------------------------------------------------


def test_no_tiles_by_default(client, actors, settings):
    assert settings.MAP_TILE_URL == ""
    response = client.get(PAGE)
    assert 'data-tile-url=""' in response.content.decode()
    assert "img-src 'self' data:;" in response["Content-Security-Policy"]


def test_configured_tiles_reach_the_page(client, actors, settings):
    settings.MAP_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© OpenStreetMap"
    content = client.get(PAGE).content.decode()
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in content
    assert 'data-tile-attribution="© OpenStreetMap"' in content
    assert "Aucun fond de carte" not in content


def settings_in_a_fresh_process(tile_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MAP_TILE_URL": tile_url}
    code = "import json, alliances.settings as s; print(json.dumps(s.SECURE_CSP['img-src']))"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60, check=False)


@pytest.mark.parametrize("url,origin", [
    ("", None),
    ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
    ("https://{s}.tile.openstreetmap.fr/osmfr/{z}/{x}/{y}.png",
     "https://*.tile.openstreetmap.fr"),
    ("https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&LAYER=PLAN.IGN&TILEMATRIX={z}"
     "&TILECOL={x}&TILEROW={y}", "https://data.geopf.fr"),
])
def test_the_csp_lets_in_the_tile_servers_origin_only(url, origin):
    done = settings_in_a_fresh_process(url)
    assert done.returncode == 0, done.stderr
    sources = json.loads(done.stdout)
    assert sources == ["'self'", "data:", *([origin] if origin else [])]


@pytest.mark.parametrize("url", ["tile.openstreetmap.org/{z}/{x}/{y}.png",
                                 "https://tile.openstreetmap.org/tiles.png",
                                 "javascript:alert(1)//{z}/{x}/{y}"])
def test_a_bad_tile_url_fails_at_start(url):
    done = settings_in_a_fresh_process(url)
    assert done.returncode != 0
    assert "MAP_TILE_URL" in done.stderr and "{z}, {x} and {y}" in done.stderr
