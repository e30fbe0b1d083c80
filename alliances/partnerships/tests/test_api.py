"""GET /api/v1/alliances and /api/v1/alliances/{id}: public alliances only, filters, 400s
naming the parameter, pagination, locked query counts, the OpenAPI description."""

import datetime
from decimal import Decimal

import pytest

from alliances.partnerships.services import followup_note_add, indicator_record

from .alliance_fixtures import *  # noqa: F403
from .alliance_fixtures import make_alliance

pytestmark = pytest.mark.django_db
API = "/api/v1/alliances"


def test_the_list_serves_public_alliances_with_their_partners(client, public_alliance,
                                                              private_alliance, organisation,
                                                              company):
    body = client.get(API).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == public_alliance.pk
    assert item["title"] == public_alliance.title
    assert (item["type"], item["form"], item["status"]) == ("mecenat", "partenariat", "active")
    assert item["start_date"] == "2024-01-15" and item["end_date"] is None
    assert (item["commune"], item["departement"], item["region"]) == ("94080", "94", "11")
    assert item["fragilities"] == ["emploi"]
    assert item["partners"] == [
        {"id": organisation.pk, "name": organisation.name, "type": "association",
         "role": "porteur"},
        {"id": company.pk, "name": company.name, "type": "entreprise", "role": "financeur"},
    ]
    assert Decimal(item["resources_mobilised"]["money_eur"]) == 5000
    assert item["url"] == f"http://testserver/alliances/{public_alliance.pk}/"


@pytest.mark.parametrize(("query", "count"), [
    ("territory=94", 1), ("territory=94080", 1), ("territory=region:11", 1),
    ("territory=94028", 0), ("type=mecenat", 1), ("type=innovation_societale", 0),
    ("form=partenariat", 1), ("status=terminee", 0), ("fragility=emploi", 1),
    ("fragility=culture", 0),
])
def test_filters(client, public_alliance, query, count):
    assert client.get(f"{API}?{query}").json()["count"] == count


def test_organisation_filter(client, public_alliance, company, other_organisation):
    assert client.get(f"{API}?organisation={company.pk}").json()["count"] == 1
    assert client.get(f"{API}?organisation={other_organisation.pk}").json()["count"] == 0


@pytest.mark.parametrize(("query", "name"), [
    ("territory=99", "territory"), ("territory=xyz", "territory"), ("type=licorne", "type"),
    ("form=x", "form"), ("status=fini", "status"), ("fragility=nope", "fragility"),
    ("organisation=999999", "organisation"),
])
def test_unknown_values_are_400_naming_the_parameter(client, public_alliance, query, name):
    response = client.get(f"{API}?{query}")
    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"Unknown {name}: ")


@pytest.mark.parametrize("query", ["organisation=abc", "limit=0", "limit=500", "offset=-1"])
def test_malformed_parameters_are_400(client, query):
    response = client.get(f"{API}?{query}")
    assert response.status_code == 400


def test_pagination_and_query_count(client, organisation, company, other_organisation,
                                    django_assert_max_num_queries):
    partners = [organisation, company, other_organisation]
    for i in range(30):
        make_alliance(partners[i % 3], partners[(i + 1) % 3], title=f"Alliance {i:02d}")
    with django_assert_max_num_queries(4):
        small = client.get(f"{API}?limit=5").json()
    with django_assert_max_num_queries(4):
        large = client.get(f"{API}?limit=25&offset=5").json()
    assert small["count"] == large["count"] == 30
    assert len(small["items"]) == 5 and len(large["items"]) == 25
    assert not {i["id"] for i in small["items"]} & {i["id"] for i in large["items"]}


def test_one_alliance_with_its_follow_up(client, public_alliance, participant,
                                         django_assert_max_num_queries):
    followup_note_add(alliance=public_alliance, date=datetime.date(2024, 7, 1),
                      text="Bilan M6", author=participant)
    indicator_record(alliance=public_alliance, kind="personnes_touchees",
                     date=datetime.date(2024, 7, 1), value=Decimal("80"), author=participant)
    with django_assert_max_num_queries(5):
        body = client.get(f"{API}/{public_alliance.pk}").json()
    assert body["notes"] == [{"date": "2024-07-01", "text": "Bilan M6"}]
    assert body["indicators"] == [{"indicator": "personnes_touchees", "label": "",
                                   "date": "2024-07-01", "value": "80.00"}]
    assert body["description"].startswith("Des **salariés**")
    assert "participant@example.org" not in str(body)


def test_a_private_or_unknown_alliance_is_404(client, private_alliance, admin):
    client.force_login(admin)  # the API is anonymous open data, whoever asks
    assert client.get(f"{API}/{private_alliance.pk}").status_code == 404
    assert client.get(f"{API}/999999").status_code == 404


def test_openapi_describes_both_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    listing = schema["paths"]["/api/v1/alliances"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"territory", "type", "form", "status", "fragility", "organisation", "limit",
            "offset"} <= names
    assert "/api/v1/alliances/{alliance_id}" in schema["paths"]
