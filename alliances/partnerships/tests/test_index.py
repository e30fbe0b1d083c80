"""The list of alliances: filters as GET parameters (htmx in place), bad values ignored with
a notice, pagination, locked query counts; an organisation's and a territory's alliances."""

import datetime

import pytest
from django.utils.html import escape
from django.utils.translation import gettext as _

from alliances.actors.models import OrganisationType
from alliances.actors.services import organisation_create
from alliances.partnerships.models import AllianceStatus, AllianceType

from .alliance_fixtures import *  # noqa: F403
from .alliance_fixtures import make_alliance

pytestmark = pytest.mark.django_db


@pytest.fixture
def several(organisation, company, other_organisation, lyon):
    lyon_org = organisation_create(name="Mairie de Lyon", type=OrganisationType.COLLECTIVITE,
                                   commune=lyon)
    return {
        "numerique": make_alliance(organisation, company),
        "insertion": make_alliance(
            other_organisation, company, title="Chantier d'insertion de Montreuil",
            type=AllianceType.COOPERATION_ECONOMIQUE, form="experimentation",
            status=AllianceStatus.PROJET, commune=other_organisation.commune,
        ),
        "lyon": make_alliance(lyon_org, company, title="Tiers-lieu lyonnais",
                              type=AllianceType.INNOVATION_SOCIETALE, commune=lyon,
                              start_date=datetime.date(2023, 5, 1)),
    }


def titles(response) -> set[str]:
    return {a.title for a in response.context["directory"].page.object_list}


@pytest.mark.parametrize(("query", "expected"), [
    ("", {"numerique", "insertion", "lyon"}),
    ("territoire=94", {"numerique"}),
    ("territoire=94080", {"numerique"}),
    ("territoire=region:11", {"numerique", "insertion"}),
    ("territoire=69", {"lyon"}),
    ("type=cooperation_economique", {"insertion"}),
    ("forme=experimentation", {"insertion"}),
    ("statut=en_projet", {"insertion"}),
    ("fragilite=emploi", {"numerique", "insertion", "lyon"}),
    ("fragilite=culture", set()),
    ("q=tiers", {"lyon"}),
    ("q=INSERTION", {"insertion"}),
])
def test_filters(client, several, query, expected):
    response = client.get(f"/alliances/?{query}")
    assert titles(response) == {several[name].title for name in expected}
    assert not response.context["directory"].notices


def test_organisation_filter(client, several, other_organisation):
    response = client.get(f"/alliances/?organisation={other_organisation.pk}")
    assert titles(response) == {several["insertion"].title}


@pytest.mark.parametrize(("query", "label"), [
    ("territoire=99", "Territory"),
    ("territoire=abc", "Territory"),
    ("type=licorne", "Type"),
    ("forme=x", "Form"),
    ("statut=fini", "Status"),
    ("fragilite=nope", "Fragility domain"),
    ("organisation=0", "Organisation (number)"),
    ("organisation=999999", "Organisation (number)"),
    ("organisation=abc", "Organisation (number)"),
])
def test_a_bad_filter_is_ignored_with_a_notice(client, several, query, label):
    response = client.get(f"/alliances/?{query}")
    assert response.status_code == 200
    assert len(titles(response)) == 3
    notices = response.context["directory"].notices
    assert len(notices) == 1 and _(label) in notices[0]
    assert escape(notices[0]) in response.content.decode()


def test_bad_page_numbers(client, several):
    assert client.get("/alliances/?page=abc").context["directory"].notices
    response = client.get("/alliances/?page=99")
    assert response.context["directory"].page.number == 1
    assert response.context["directory"].notices


def test_htmx_answers_the_results_only(client, several):
    response = client.get("/alliances/?type=mecenat", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


@pytest.fixture
def many(organisation, company, other_organisation):
    partners = [organisation, company, other_organisation]
    return [
        make_alliance(partners[i % 3], partners[(i + 1) % 3], title=f"Alliance {i:02d}",
                      is_public=i % 5 != 0)
        for i in range(45)
    ]


def test_query_count_is_locked(client, participant, many, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):  # generation, count, page, partners, fragilities
        response = client.get("/alliances/")
    assert len(response.context["directory"].page.object_list) == 20
    client.force_login(participant)
    with django_assert_max_num_queries(9):
        response = client.get("/alliances/?page=2")
    assert response.status_code == 200


def test_pagination_keeps_the_filters(client, many):
    html = client.get("/alliances/?type=mecenat").content.decode()
    assert "?type=mecenat&amp;page=2" in html


def test_the_organisation_page_lists_its_visible_alliances(client, participant, organisation,
                                                          public_alliance, private_alliance,
                                                          django_assert_max_num_queries):
    url = organisation.get_absolute_url()
    html = client.get(url).content.decode()
    assert public_alliance.title in html and private_alliance.title not in html
    client.force_login(participant)
    with django_assert_max_num_queries(16):
        html = client.get(url).content.decode()
    assert public_alliance.title in html and private_alliance.title in html


def test_the_organisation_page_links_to_all_its_alliances(client, organisation, many):
    html = client.get(organisation.get_absolute_url()).content.decode()
    assert f"/alliances/?organisation={organisation.pk}" in html


def test_the_territory_page_shows_its_ecosystem(client, public_alliance, private_alliance,
                                                val_de_marne, vincennes, idf):
    html = client.get(val_de_marne.get_absolute_url()).content.decode()
    assert "/alliances/?territoire=94" in html
    assert "/alliances/reseau/departement/94/" in html
    assert "/alliances/carte/departement/94/" in html
    assert "/alliances/qui-avec-qui/departement/94/" in html
    assert public_alliance.title in html and private_alliance.title not in html
    html = client.get(vincennes.get_absolute_url()).content.decode()
    assert "/alliances/?territoire=94080" in html
    assert "/alliances/reseau/commune/94080/" in html
    html = client.get(idf.get_absolute_url()).content.decode()
    assert "/alliances/?territoire=region:11" in html
    assert client.get("/alliances/?territoire=region:11").context[
        "directory"].page.paginator.count == 1


def test_the_territory_counts_beyond_the_latest_shown(client, many, val_de_marne):
    response = client.get(val_de_marne.get_absolute_url())
    # Partners cycle over Vincennes, Créteil (94) and Montreuil (93); one in five is private.
    assert response.context["counts"] == {"total": 24, "active": 24}
    assert len(response.context["alliances"]) == 5
