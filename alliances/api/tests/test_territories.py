import pytest

from alliances.territories.models import Commune


def test_regions(client, idf, ara):
    response = client.get("/api/v1/territories/regions")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "items"}
    assert {"code": "11", "name": "Île-de-France"} in body["items"]
    codes = [item["code"] for item in body["items"]]
    assert codes == sorted(codes)
    assert body["count"] == len(codes)


def test_departements_of_a_region(client, val_de_marne, rhone):
    body = client.get("/api/v1/territories/departements", {"region": "11"}).json()
    assert {"code": "94", "name": "Val-de-Marne", "region": "11"} in body["items"]
    assert all(item["region"] == "11" for item in body["items"])
    assert "69" not in [item["code"] for item in body["items"]]


def test_communes_of_a_departement_by_name(client, vincennes, creteil, lyon):
    body = client.get(
        "/api/v1/territories/communes", {"departement": "94", "q": "vinc"}
    ).json()
    assert body == {
        "count": 1,
        "items": [
            {"code": "94080", "name": "Vincennes", "departement": "94", "region": "11",
             "population": 49788}
        ],
    }


def test_commune_search_ignores_accents(client, creteil):
    body = client.get("/api/v1/territories/communes", {"q": "CRETEIL"}).json()
    assert [item["code"] for item in body["items"]] == ["94028"]


def test_pagination(client, val_de_marne):
    for i in range(7):
        Commune.objects.get_or_create(
            code=f"949{i:02d}", defaults={"name": f"Ville {i}", "departement": val_de_marne}
        )
    body = client.get(
        "/api/v1/territories/communes", {"q": "ville ", "limit": 3, "offset": 3}
    ).json()
    assert body["count"] == 7
    assert [item["name"] for item in body["items"]] == ["Ville 3", "Ville 4", "Ville 5"]


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/territories/departements", {"region": "abc"}),
        ("/api/v1/territories/departements", {"region": "99"}),
        ("/api/v1/territories/communes", {"departement": "xyz"}),
        ("/api/v1/territories/communes", {"departement": "00"}),
        ("/api/v1/territories/communes", {"q": "x" * 101}),
        ("/api/v1/territories/regions", {"limit": "-1"}),
        ("/api/v1/territories/regions", {"limit": "100000"}),
        ("/api/v1/territories/regions", {"limit": "abc"}),
        ("/api/v1/territories/regions", {"offset": "-5"}),
    ],
)
def test_bad_parameters_are_400_with_a_json_message(client, idf, url, params):
    response = client.get(url, params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_query_count(client, vincennes, creteil, lyon, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        client.get("/api/v1/territories/communes", {"departement": "94"})
    with django_assert_max_num_queries(2):
        client.get("/api/v1/territories/regions")
