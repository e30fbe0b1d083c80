"""GET /api/v1/resources (search) and /api/v1/resources/{id}: published resources only."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alliances.actors.models import OrganisationType
from alliances.actors.services import organisation_create
from alliances.resources.models import ReferentielNode, ResourceKind, ResourceLink, ResourceStatus
from alliances.resources.selectors import node_numbers
from alliances.resources.services import resource_file_add
from alliances.resources.testing import make_resource
from alliances.territories.models import Region

pytestmark = pytest.mark.django_db

URL = "/api/v1/resources"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def catalogue(participant):
    idf, ara = Region.objects.get(pk="11"), Region.objects.get(pk="84")
    return {
        "body": make_resource(by=participant, title="Un texte", summary="Rien.",
                              body="Parler de coopération sans fin.", kind=ResourceKind.ETUDE,
                              region=idf, issued_on=datetime.date(2024, 1, 1)),
        "title": make_resource(by=participant, title="Coopération en commun", summary="Rien.",
                               body="Non.", kind=ResourceKind.FICHE, region=ara,
                               issued_on=datetime.date(2025, 1, 1),
                               tags=[("type", "cooperation_economique")]),
        "summary": make_resource(by=participant, title="Une note", summary="La coopération.",
                                 body="Non.", kind=ResourceKind.FICHE, region=idf,
                                 issued_on=datetime.date(2025, 5, 1),
                                 tags=[("type", "cooperation_economique"), ("type", "mecenat")]),
        "draft": make_resource(by=participant, title="Coopération en brouillon",
                               status=ResourceStatus.DRAFT),
    }


def test_search_answers_in_rank_order_with_snippets_and_facets(client, catalogue):
    response = client.get(URL, {"q": "cooperation"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    # Title > summary > body, neither id order nor date order.
    assert [item["id"] for item in body["items"]] == [
        catalogue["title"].pk, catalogue["summary"].pk, catalogue["body"].pk
    ]
    note = body["items"][1]
    assert note == {
        "id": catalogue["summary"].pk,
        "title": "Une note",
        "kind": "fiche",
        "snippet": "La <mark>coopération</mark>.",
        "summary": "La coopération.",
        "url": f"http://testserver/ressources/{catalogue['summary'].pk}/",
    }
    assert body["facets"] == {
        "annee": {"2025": 2, "2024": 1},
        "kind": {"fiche": 2, "etude": 1},
        "tag": {"type:cooperation_economique": 2, "type:mecenat": 1},
        "territoire": {"11": 2, "84": 1},
    }
    assert body["corrected"] == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "fiche"}, ["title", "summary"]),
        ({"kind": ["fiche", "etude"]}, ["title", "summary", "body"]),
        ({"tag": "type:mecenat"}, ["summary"]),
        ({"territoire": "11"}, ["summary", "body"]),
        ({"territoire": "11", "annee": "2025"}, ["summary"]),
        ({"annee": ["2024", "2025"], "kind": "etude"}, ["body"]),
        ({"q": "note", "kind": "etude"}, []),
    ],
)
def test_filters(client, catalogue, params, expected):
    body = client.get(URL, {"q": "coopération", **params}).json()
    assert [item["id"] for item in body["items"]] == [catalogue[k].pk for k in expected]
    assert body["count"] == len(expected)


def test_empty_query_lists_every_published_resource(client, catalogue):
    body = client.get(URL).json()
    assert body["count"] == 3
    assert catalogue["draft"].pk not in [item["id"] for item in body["items"]]


def test_limit_and_offset(client, catalogue):
    body = client.get(URL, {"q": "coopération", "limit": 1, "offset": 1}).json()
    assert body["count"] == 3
    assert [item["id"] for item in body["items"]] == [catalogue["summary"].pk]


def test_typo_fallback_is_reported(client, catalogue):
    body = client.get(URL, {"q": "cooperatoin"}).json()
    assert body["corrected"] == ["cooperation"]
    assert body["count"] == 3


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "licorne"},
        {"tag": "forme:rien"},
        {"tag": "sans-famille"},
        {"territoire": "99"},
        {"annee": "deux-mille"},
        {"limit": "0"},
        {"limit": "1000"},
        {"limit": "abc"},
        {"offset": "-1"},
        {"q": "x" * 201},
    ],
)
def test_bad_parameters_are_400_naming_them(client, catalogue, params):
    response = client.get(URL, params)
    assert response.status_code == 400
    text = response.content.decode()
    name = next(iter(params))
    assert name in text or str(params[name])[:20] in text


@pytest.mark.parametrize("who", [None, "admin", "animateur", "participant", "outsider"])
def test_published_only_whoever_asks(client, catalogue, request, who):
    if who:
        client.force_login(request.getfixturevalue(who))
    assert client.get(URL, {"q": "coopération"}).json()["count"] == 3
    draft = catalogue["draft"]
    assert client.get(f"{URL}/{draft.pk}").status_code == 404
    assert client.get(f"{URL}/{catalogue['title'].pk}").status_code == 200


def test_one_resource_with_its_tags_nodes_files_and_links(client, participant):
    node = ReferentielNode.objects.get(title="Le dialogue territorial")
    organisation = organisation_create(name="Maison des associations",
                                       type=OrganisationType.ASSOCIATION)
    resource = make_resource(
        by=participant, title="Animer un dialogue", kind=ResourceKind.METHODE,
        summary="Résumé.", body="**Gras**", authors="Claire Martin",
        region=Region.objects.get(pk="11"), issued_on=datetime.date(2025, 3, 14),
        tags=[("forme", "dialogue_territorial")], nodes=[node], organisations=[organisation],
        links=[("https://www.fun-mooc.fr/cours/", "Le MOOC")],
    )
    attached = resource_file_add(resource=resource, by=participant,
                                 upload=SimpleUploadedFile("guide.odt", b"PK\x03\x04"))
    body = client.get(f"{URL}/{resource.pk}").json()
    assert body["title"] == "Animer un dialogue" and body["kind"] == "methode"
    assert body["body"] == "**Gras**"
    assert body["body_html"] == "<p><strong>Gras</strong></p>"
    assert body["authors"] == "Claire Martin"
    assert body["organisations"] == [{
        "id": organisation.pk, "name": "Maison des associations",
        "url": f"http://testserver/acteurs/{organisation.pk}/",
    }]
    assert body["region"] == "11" and body["departement"] is None
    assert body["issued_on"] == "2025-03-14"
    assert body["licence"] == "CC-BY-SA-4.0"
    assert body["licence_url"] == "https://creativecommons.org/licenses/by-sa/4.0/deed.fr"
    assert [(t["family"], t["code"]) for t in body["tags"]] == [("forme", "dialogue_territorial")]
    assert body["nodes"] == [{
        "id": node.pk, "number": node_numbers()[node.pk], "title": "Le dialogue territorial",
        "url": f"http://testserver/ressources/referentiel/{node.pk}/",
    }]
    assert body["files"] == [{
        "name": "guide.odt", "size": 4,
        "url": f"http://testserver/ressources/{resource.pk}/fichiers/{attached.pk}/",
    }]
    assert body["links"] == [{"url": "https://www.fun-mooc.fr/cours/", "title": "Le MOOC"}]
    assert body["contributor"] == "Paul Participant"
    assert body["version"] == 2
    assert body["url"] == f"http://testserver/ressources/{resource.pk}/"
    assert participant.email not in str(body)


def test_unknown_resource_is_404(client, db):
    assert client.get(f"{URL}/99999").status_code == 404
    assert client.get(f"{URL}/abc").status_code in (400, 404)


def test_xss_payloads_come_out_inert(client, participant):
    resource = make_resource(
        by=participant, title="<script>alert(1)</script> coopération",
        summary="<img src=x onerror=alert(2)> coopération",
        body="<script>alert(3)</script> [x](javascript:alert(4)) coopération",
    )
    ResourceLink.objects.create(resource=resource, url="javascript:alert(5)", title="js")
    items = client.get(URL, {"q": "coopération"}).json()["items"]
    assert "<img" not in items[0]["snippet"] and "<script" not in items[0]["snippet"]
    assert "&lt;img" in items[0]["snippet"]
    one = client.get(f"{URL}/{resource.pk}")
    assert one["Content-Type"] == "application/json; charset=utf-8"
    body = one.json()
    assert "<script" not in body["body_html"] and "javascript:" not in body["body_html"]
    assert body["links"] == []


def test_query_counts(client, participant, django_assert_max_num_queries):
    node = ReferentielNode.objects.get(title="Le dialogue territorial")
    idf = Region.objects.get(pk="11")
    for n in range(30):
        resource = make_resource(
            by=participant, title=f"Coopération {n}", region=idf, nodes=[node],
            tags=[("type", "mecenat"), ("forme", "partenariats")],
            links=[("https://exemple.org/a", "A"), ("https://exemple.org/b", "B")],
        )
    # The engine's hits and counts, the rows; filtered: the regions and tags checked.
    with django_assert_max_num_queries(3):
        assert len(client.get(URL, {"q": "coopération", "limit": 30}).json()["items"]) == 30
    with django_assert_max_num_queries(5):
        client.get(URL, {"q": "coopération", "territoire": "11", "tag": "type:mecenat"})
    # The row, six prefetches, node numbers, tag labels.
    with django_assert_max_num_queries(9):
        assert client.get(f"{URL}/{resource.pk}").status_code == 200
