"""The network page and its JSON: who sees what, filters, bad input, figures, queries."""

import pytest
from django.urls import reverse

from alliances.actors.services import organisation_create
from alliances.partnerships.models import AllianceType
from alliances.partnerships.services import alliance_update

from .test_network_fixtures import *  # noqa: F403
from .test_network_fixtures import ally

PAGE = "/alliances/reseau/departement/94/"
DATA = "/alliances/reseau/departement/94/donnees.json"


def names_in(payload) -> set[str]:
    return set(payload["nodes"]["name"])


def links_in(payload) -> set[frozenset[str]]:
    names = payload["nodes"]["name"]
    links = set()
    for partners in payload["alliances"]["p"]:
        for i, a in enumerate(partners):
            for b in partners[i + 1:]:
                links.add(frozenset((names[a], names[b])))
    return links


def test_urls_are_the_plan():
    assert reverse("partnerships:network", args=["departement", "94"]) == PAGE
    assert reverse("partnerships:network_data", args=["departement", "94"]) == DATA


@pytest.mark.django_db
def test_anonymous_sees_public_actors_and_alliances_only(client, scenario):
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("Maison des associations de Vincennes", "Boulangerie Martin",
                 "Mairie de Créteil", "Mécénat pour l&#x27;emploi", "Circuit court du pain"):
        assert name in html
    assert "Collectif discret" not in html
    assert "Alliance confidentielle" not in html
    assert "Régie de Montreuil" not in html  # another département: not a node

    payload = client.get(DATA).json()
    assert names_in(payload) == {
        "Maison des associations de Vincennes", "Boulangerie Martin", "Mairie de Créteil"}
    assert scenario.confidential.pk not in payload["alliances"]["id"]
    assert "Collectif discret" not in client.get(DATA + "?isolated=on").content.decode()


@pytest.mark.django_db
def test_outsider_sees_what_anonymous_sees(client, scenario, outsider):
    client.force_login(outsider)
    html = client.get(PAGE).content.decode()
    assert "Collectif discret" not in html
    assert "Alliance confidentielle" not in html
    payload = client.get(DATA + "?isolated=on").json()
    assert "Collectif discret" not in names_in(payload)
    assert scenario.confidential.pk not in payload["alliances"]["id"]


@pytest.mark.django_db
def test_partners_member_sees_the_private_alliance_and_organisation(
    client, scenario, participant
):
    client.force_login(participant)  # manages the Maison and the Collectif
    html = client.get(PAGE).content.decode()
    assert "Collectif discret" in html
    assert "Alliance confidentielle" in html
    payload = client.get(DATA).json()
    assert frozenset(("Maison des associations de Vincennes", "Collectif discret")) in links_in(
        payload)
    assert scenario.confidential.pk in payload["alliances"]["id"]


@pytest.mark.django_db
def test_member_of_one_partner_sees_the_alliance_but_not_a_private_organisation(
    client, scenario, member
):
    client.force_login(member)  # a member of the Maison only
    html = client.get(PAGE).content.decode()
    assert "Alliance confidentielle" in html
    assert "Collectif discret" not in html
    payload = client.get(DATA).json()
    assert "Collectif discret" not in names_in(payload)


@pytest.mark.django_db
def test_admin_sees_everything(client, scenario, admin):
    client.force_login(admin)
    html = client.get(PAGE).content.decode()
    assert "Collectif discret" in html
    assert "Alliance confidentielle" in html
    assert "Collectif discret" in names_in(client.get(DATA).json())


@pytest.mark.django_db
def test_a_members_cached_network_never_reaches_anonymous_visitors(
    client, scenario, participant
):
    client.force_login(participant)
    assert "Alliance confidentielle" in client.get(PAGE).content.decode()
    assert "Collectif discret" in names_in(client.get(DATA).json())
    client.logout()
    assert "Alliance confidentielle" not in client.get(PAGE).content.decode()
    assert "Collectif discret" not in names_in(client.get(DATA).json())


@pytest.mark.django_db
@pytest.mark.parametrize("path", [
    "/alliances/reseau/departement/00/", "/alliances/reseau/pays/94/",
    "/alliances/reseau/departement/00/donnees.json", "/alliances/reseau/commune/99999/donnees.json",
])
def test_unknown_territory_is_not_found(client, scenario, path):
    assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_commune_and_region_networks(client, scenario):
    creteil = client.get("/alliances/reseau/commune/94028/donnees.json").json()
    assert names_in(creteil) == {"Boulangerie Martin", "Mairie de Créteil"}
    region = client.get("/alliances/reseau/region/11/donnees.json").json()
    # Île-de-France: the Régie de Montreuil is a node now, linked with the Maison.
    assert frozenset(("Maison des associations de Vincennes", "Régie de Montreuil")) in (
        links_in(region))


@pytest.mark.django_db
def test_figures_and_metrics(client, scenario):
    context = client.get(PAGE).context
    figures = context["figures"]
    # 4 public actors of the 94: Maison, bakery, Mairie, isolated association.
    assert figures["actors"] == 4
    assert figures["linked_actors"] == 3
    assert figures["alliances"] == 3  # mécénat, coopération, and the one with Montreuil
    assert figures["links"] == 3  # the triangle Maison–bakery–Mairie
    assert figures["components"] == 1
    assert figures["largest"] == 3
    assert figures["isolated"] == 1
    assert [a["name"] for a in context["isolated_actors"]] == ["Association isolée"]
    actors = context["actors_page"].object_list
    bakery = next(a for a in actors if a["name"] == "Boulangerie Martin")
    assert bakery["degree"] == 2
    assert bakery["alliances"] == 2
    # Density: the association pair (Maison, isolated): 0 of 1; company–authority: 1 of 1.
    header = [column["code"] for column in context["density_header"]]
    rows = {row["code"]: dict(zip(header, row["cells"], strict=True))
            for row in context["density_rows"]}
    assert rows["association"]["association"]["possible"] == 1
    assert rows["association"]["association"]["edges"] == 0
    assert rows["entreprise"]["collectivite"]["edges"] == 1
    assert rows["entreprise"]["collectivite"]["density"] == 100


@pytest.mark.django_db
def test_bridging_actors_on_a_path(client, val_de_marne, vincennes):
    # a – b – c: b is the only acteur passerelle.
    orgs = [organisation_create(name=f"Acteur {c}", type="association", commune=vincennes)
            for c in "abc"]
    ally("un", orgs[:2], type=AllianceType.MECENAT, commune=vincennes)
    ally("deux", orgs[1:], type=AllianceType.MECENAT, commune=vincennes)
    context = client.get(PAGE).context
    assert [a["name"] for a in context["bridges"]] == ["Acteur b"]
    ranks = {a["name"]: a["rank"] for a in context["actors_page"].object_list}
    assert ranks == {"Acteur a": 0, "Acteur b": 1, "Acteur c": 0}
    assert client.get(DATA).json()["nodes"]["rank"][
        client.get(DATA).json()["nodes"]["name"].index("Acteur b")] == 1


@pytest.mark.django_db
def test_filters_narrow_the_network(client, scenario):
    payload = client.get(DATA + "?alliance_type=cooperation_economique").json()
    assert links_in(payload) == {frozenset(("Boulangerie Martin", "Mairie de Créteil"))}
    payload = client.get(DATA + "?fragility=emploi").json()
    assert len(links_in(payload)) == 3
    payload = client.get(DATA + "?type=entreprise&type=collectivite").json()
    assert names_in(payload) == {"Boulangerie Martin", "Mairie de Créteil"}
    payload = client.get(DATA + "?isolated=on").json()
    assert "Association isolée" in names_in(payload)

    context = client.get(PAGE + "?alliance_type=cooperation_economique").context
    assert context["figures"]["links"] == 1
    assert context["figures"]["alliances"] == 1
    assert not context["notices"]


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "field"), [
    ("type=inconnu", "type"), ("alliance_type=troc", "alliance_type"),
    ("fragility=nulle-part", "fragility"),
])
def test_bad_filters_are_ignored_with_a_notice_on_the_page_and_refused_by_the_json(
    client, scenario, query, field
):
    page = client.get(f"{PAGE}?{query}")
    assert page.status_code == 200
    notices = page.context["notices"]
    assert len(notices) == 1
    assert str(page.context["form"].fields[field].label) in notices[0]
    assert page.context["figures"]["links"] == 3  # the filter was ignored
    answer = client.get(f"{DATA}?{query}")
    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == [field]


@pytest.mark.django_db
def test_a_change_shows_at_once(client, scenario):
    assert "Circuit court du pain" in client.get(PAGE).content.decode()
    before = client.get(DATA).json()
    alliance_update(alliance=scenario.cooperation, data={"is_public": False})
    assert "Circuit court du pain" not in client.get(PAGE).content.decode()
    after = client.get(DATA).json()
    assert scenario.cooperation.pk in before["alliances"]["id"]
    assert scenario.cooperation.pk not in after["alliances"]["id"]


@pytest.mark.django_db
def test_the_json_is_compact(client, scenario):
    payload = client.get(DATA).json()
    assert set(payload["nodes"]) == {"id", "name", "t", "deg", "rank"}  # cose in the browser
    assert payload["layout"] == "cose"
    assert set(payload["alliances"]) == {"id", "t", "f", "p"}
    assert payload["orgUrl"] == "/acteurs/{id}/"
    assert [t["code"] for t in payload["types"]][:3] == ["association", "fondation", "entreprise"]


@pytest.mark.django_db
def test_query_counts_are_locked(
    client, scenario, participant, django_assert_num_queries, django_assert_max_num_queries
):
    # generation (page cache), territory, generation, then the reads: organisations,
    # partners, alliances, alliances' fragilités, fragilités, and the titles of the
    # listed page's alliances (not of all).
    with django_assert_num_queries(9):
        assert client.get(PAGE).status_code == 200
    with django_assert_num_queries(1):  # the page cache: the generation only
        assert client.get(PAGE).status_code == 200
    with django_assert_num_queries(2):  # territory, generation: the network is cached
        assert client.get(DATA).status_code == 200
    with django_assert_num_queries(2):  # another filter: computed from the cached rows
        assert client.get(DATA + "?type=association").status_code == 200
    client.force_login(participant)
    # + session, user, memberships, the alliances of their organisations (and the
    # header's notifications count)
    with django_assert_max_num_queries(13):
        assert client.get(PAGE).status_code == 200
    with django_assert_num_queries(5):
        assert client.get(DATA).status_code == 200


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_network(
    client, vincennes, django_assert_max_num_queries
):
    orgs = [organisation_create(name=f"Acteur {i:02d}", type="association", commune=vincennes,
                                fragilities=["emploi"]) for i in range(30)]
    for i in range(29):
        ally(f"Alliance {i}", orgs[i:i + 2], type=AllianceType.MECENAT, commune=vincennes,
             fragilities=["emploi", "sante"])
    with django_assert_max_num_queries(9):
        assert client.get(PAGE).status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(DATA + "?isolated=on").status_code == 200


def test_non_get_is_refused(client, db):
    assert client.post(PAGE).status_code == 405
    assert client.post(DATA).status_code == 405
