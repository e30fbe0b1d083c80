import pytest

URL = "/api/v1/organisations"


def test_public_organisations_only(client, organisation, hidden_organisation):
    response = client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["items"] == [
        {
            "id": organisation.pk,
            "name": "Maison des associations de Vincennes",
            "type": "association",
            "commune": "94080",
            "departement": "94",
            "region": "11",
            "siren": "732829320",
            "rna": "W941000001",
            "fragilities": ["lien-social", "jeunesse"],
            "url": f"http://testserver/acteurs/{organisation.pk}/",
        }
    ]


def test_no_personal_data(client, organisation, participant):
    text = client.get(URL).content.decode()
    assert participant.email not in text and str(participant) not in text


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"commune": "94080"}, 16),
        ({"commune": "94080", "type": "association"}, 3),
        ({"departement": "94"}, 31),
        ({"region": "11"}, 46),
        ({"region": "84"}, 15),
        ({"fragility": "lien-social"}, 1),
        ({"fragility": "emploi"}, 30),
        ({"q": "ACTEUR 0"}, 10),
        ({"q": "maison", "region": "11", "type": "association"}, 1),
        ({"commune": "69123", "departement": "94"}, 0),
    ],
)
def test_filters(client, organisation, many_organisations, params, count):
    body = client.get(URL, params).json()
    assert body["count"] == count
    assert len(body["items"]) == min(count, 50)


def test_limit_and_offset(client, many_organisations):
    body = client.get(URL, {"limit": 200}).json()
    assert body["count"] == 60 and len(body["items"]) == 60
    body = client.get(URL, {"limit": 5, "offset": 10}).json()
    assert [item["name"] for item in body["items"]] == [f"Acteur {i}" for i in range(10, 15)]
    assert len(client.get(URL).json()["items"]) == 50  # the default limit


@pytest.mark.parametrize(
    "params",
    [
        {"type": "club"},
        {"region": "abc"},
        {"region": "99"},
        {"departement": "999"},
        {"commune": "9408"},
        {"commune": "99999"},
        {"fragility": "nope"},
        {"limit": "-1"},
        {"limit": "0"},
        {"limit": "100000"},
        {"offset": "99999999999999999999999"},
        {"q": "x" * 500},
    ],
)
def test_bad_parameters_are_400_never_500(client, organisation, params):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert "detail" in response.json()


def test_validation_errors_say_which_parameter(client, db):
    body = client.get(URL, {"type": "club"}).json()
    assert body["message"]
    assert body["detail"][0]["loc"] == ["query", "type"]


def test_read_only(client, organisation):
    assert client.post(URL, {}, content_type="application/json").status_code == 405


def test_query_count(client, many_organisations, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert client.get(URL, {"limit": 200}).status_code == 200
    with django_assert_max_num_queries(5):
        response = client.get(URL, {"region": "11", "fragility": "emploi", "type": "entreprise"})
        assert response.status_code == 200
