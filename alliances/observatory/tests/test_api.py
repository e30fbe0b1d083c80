"""/api/v1/observatory: the results format, breakdowns and filters, errors, who sees what,
the evolution's tests of change, and the queries a request costs."""

import math

import pytest

from alliances.accounts.models import User
from alliances.accounts.services import user_create
from alliances.observatory import analysis, dataset
from alliances.observatory.models import WebResponse
from alliances.observatory.services import wave_data_changed, wave_publish
from alliances.observatory.testing import make_wave

pytestmark = pytest.mark.django_db

API = "/api/v1/observatory"


def results_url(wave, code="q4"):
    return f"{API}/waves/{wave.pk}/questions/{code}/results"


@pytest.fixture
def published(analyste):
    wave = make_wave(analyste, n=400)
    return wave_publish(wave=wave, by=analyste)


@pytest.fixture
def draft(analyste):
    return make_wave(analyste, slug="brouillon", label="2025", n=200)


@pytest.fixture
def other_analyste(db, password):
    return user_create(email="autre.analyste@example.org", password=password,
                       role=User.Role.ANALYSTE, display_name="Autre Analyste")


def test_results_answer_the_documented_format(client, published):
    response = client.get(results_url(published))
    assert response.status_code == 200
    body = response.json()
    assert {"question", "groups"} <= set(body)
    assert body["question"] == "q4"
    assert body["by"] == [] and body["filters"] == {}
    assert body["weight_source"] == "importees" and body["min_n"] == 30
    [group] = body["groups"]
    assert group["key"] == {}
    assert {"key", "n", "weighted_n", "n_eff", "options"} <= set(group)
    assert type(group["n"]) is int and group["n"] == 400
    assert isinstance(group["weighted_n"], float) and isinstance(group["n_eff"], float)
    assert group["too_small"] is False and group["mean"] is None
    assert [o["code"] for o in group["options"]] == ["oui", "non", "nsp"]
    for option in group["options"]:
        assert set(option) == {"code", "label", "share", "se", "ci_low", "ci_high"}
        assert all(isinstance(option[k], float) for k in ("share", "se", "ci_low", "ci_high"))
        assert option["ci_low"] < option["share"] < option["ci_high"]
    assert group["options"][0]["label"] == "Oui"
    assert sum(o["share"] for o in group["options"]) == pytest.approx(1.0)
    expected = analysis.question_results(dataset.wave_data(published), "q4")
    assert [o["share"] for o in group["options"]] == pytest.approx(
        [o.share for o in expected.groups[0].options], rel=1e-12)
    assert [o["se"] for o in group["options"]] == pytest.approx(
        [o.se for o in expected.groups[0].options], rel=1e-12)
    assert group["n_eff"] == pytest.approx(expected.groups[0].n_eff)


def test_breakdowns_one_or_two_repeated_or_comma_separated(client, published):
    by_region = client.get(results_url(published), {"by": "region"}).json()
    assert [g["key"] for g in by_region["groups"]] == [
        {"region": "11"}, {"region": "84"}, {"region": "53"}]
    assert by_region["groups"][0]["key_labels"] == {"region": "Île-de-France"}
    assert sum(g["n"] for g in by_region["groups"]) == 400
    repeated = client.get(results_url(published), {"by": ["region", "taille_commune"]}).json()
    comma = client.get(results_url(published), {"by": "region,taille_commune"}).json()
    assert repeated == comma
    assert repeated["by"] == ["region", "taille_commune"]
    assert len(repeated["groups"]) == 6
    assert repeated["groups"][1]["key"] == {"region": "11", "taille_commune": "1000_plus"}
    three = client.get(results_url(published), {"by": "region,taille_commune,q4"})
    assert three.status_code == 400
    assert "at most 2" in three.json()["message"]


def test_filters_are_domains_and_repeat(client, published):
    data = dataset.wave_data(published)
    small = data.columns.single["taille_commune"] == 0
    body = client.get(results_url(published), {"filter": "taille_commune:moins_1000"}).json()
    assert body["filters"] == {"taille_commune": ["moins_1000"]}
    assert body["groups"][0]["n"] == int(small.sum())
    two = client.get(results_url(published),
                     {"filter": ["region:11", "region:84"], "by": "taille_commune"}).json()
    one = client.get(results_url(published),
                     {"filter": "region:11,84", "by": "taille_commune"}).json()
    assert two == one
    regions = data.columns.single["region"]
    assert sum(g["n"] for g in two["groups"]) == int(((regions == 0) | (regions == 1)).sum())


def test_a_multiple_choice_and_a_number_question(client, published):
    multiple = client.get(results_url(published, "q14")).json()
    shares = [o["share"] for o in multiple["groups"][0]["options"]]
    assert multiple["kind"] == "multiple" and len(shares) == 3 and sum(shares) > 1
    number = client.get(results_url(published, "q20"), {"by": "region"}).json()
    for group in number["groups"]:
        assert group["options"] == []
        mean = group["mean"]
        assert mean["ci_low"] < mean["value"] < mean["ci_high"] and 0 < mean["value"] < 12


@pytest.mark.parametrize(("params", "code", "named"), [
    ({}, "q99", "q99"),
    ({}, "q30", "q30"),  # free text has no figures
    ({"by": "zz"}, "q4", "zz"),
    ({"by": "q14"}, "q4", "q14"),  # a multiple choice does not split respondents
    ({"filter": "region:99"}, "q4", "99"),
    ({"filter": "nope:1"}, "q4", "nope"),
    ({"filter": "region"}, "q4", "region"),
])
def test_unknown_codes_are_400_naming_them(client, published, params, code, named):
    response = client.get(results_url(published, code), params)
    assert response.status_code == 400
    assert named in response.json()["message"]


def test_an_unknown_wave_is_404(client, published):
    response = client.get(f"{API}/waves/{published.pk + 1000}/questions/q4/results")
    assert response.status_code == 404
    assert client.get(f"{API}/waves/{published.pk + 1000}").status_code == 404


def test_small_cells_are_hidden_in_public_and_flagged_for_analysts(client, analyste, published):
    params = {"by": "region,taille_commune", "filter": "q4:oui"}
    public = client.get(results_url(published, "q14"), params).json()
    small = [g for g in public["groups"] if g["n"] < 30]
    assert small, "the sample should have small cells"
    for group in small:
        assert group["too_small"] is True
        assert all(o["share"] is None and o["se"] is None and o["ci_low"] is None
                   and o["ci_high"] is None for o in group["options"])
    for group in public["groups"]:
        if group["n"] >= 30:
            assert group["too_small"] is False
            assert all(o["share"] is not None for o in group["options"])
    client.force_login(analyste)
    private = client.get(results_url(published, "q14"), params).json()
    for group in private["groups"]:
        assert group["too_small"] is (group["n"] < 30)
        assert all(o["share"] is not None for o in group["options"] if group["n"])


@pytest.mark.parametrize(("who", "status"), [
    ("admin", 200), ("analyste", 200), ("other_analyste", 200), ("animateur", 404),
    ("participant", 404), (None, 404),
])
def test_unpublished_waves_are_for_analysts(client, request, draft, who, status):
    if who is not None:
        client.force_login(request.getfixturevalue(who))
    assert client.get(results_url(draft)).status_code == status
    assert client.get(f"{API}/waves/{draft.pk}").status_code == status
    listed = [w["id"] for w in client.get(f"{API}/waves").json()]
    assert (draft.pk in listed) is (status == 200)
    evolution = client.get(f"{API}/surveys/brouillon/questions/q4/evolution")
    assert evolution.status_code == status


def test_published_waves_are_public(client, published):
    assert client.get(results_url(published)).status_code == 200
    [listed] = client.get(f"{API}/waves").json()
    assert listed["id"] == published.pk and listed["respondents"] == 400
    assert listed["status"] == "publiee"
    assert listed["survey"] == {"slug": "maires", "title": "Baromètre des maires",
                                "population": "maires", "scope": "national",
                                "territory": None}
    assert listed["url"].endswith(f"/observatoire/vagues/{published.pk}/")


def test_a_wave_lists_its_questions(client, published):
    body = client.get(f"{API}/waves/{published.pk}").json()
    assert [q["code"] for q in body["questions"]] == [
        "region", "taille_commune", "q4", "q14", "q20", "q30"]
    region = body["questions"][0]
    assert region["is_attribute"] is True and region["kind"] == "single"
    assert region["options"][0] == {"code": "11", "label": "Île-de-France"}
    assert body["questions"][2]["is_attribute"] is False


def test_evolution_tests_each_change(client, analyste, published):
    second = make_wave(analyste, label="2025", n=500, seed=7)
    wave_publish(wave=second, by=analyste)
    make_wave(analyste, label="2026", n=100, seed=9)  # unpublished: not in public
    body = client.get(f"{API}/surveys/maires/questions/q4/evolution").json()
    assert [w["label"] for w in body["waves"]] == ["2024", "2025"]
    first, then = body["waves"]
    assert all(o["change"] is None and o["p_value"] is None for o in first["options"])
    before = {o["code"]: o for o in first["options"]}
    for option in then["options"]:
        a = before[option["code"]]
        diff = option["share"] - a["share"]
        z = diff / math.sqrt(option["se"] ** 2 + a["se"] ** 2)
        assert option["change"] == pytest.approx(diff)
        assert option["p_value"] == pytest.approx(math.erfc(abs(z) / math.sqrt(2)))
        assert 0 <= option["p_value"] <= 1
    numbers = client.get(f"{API}/surveys/maires/questions/q20/evolution").json()
    assert numbers["waves"][1]["mean"]["change"] == pytest.approx(
        numbers["waves"][1]["mean"]["value"] - numbers["waves"][0]["mean"]["value"])
    client.force_login(analyste)
    everything = client.get(f"{API}/surveys/maires/questions/q4/evolution",
                            {"filter": "region:11"}).json()
    assert [w["label"] for w in everything["waves"]] == ["2024", "2025", "2026"]
    assert everything["filters"] == {"region": ["11"]}


def test_evolution_errors(client, published):
    assert client.get(f"{API}/surveys/nope/questions/q4/evolution").status_code == 404
    unknown = client.get(f"{API}/surveys/maires/questions/q99/evolution")
    assert unknown.status_code == 400 and "q99" in unknown.json()["message"]
    bad = client.get(f"{API}/surveys/maires/questions/q4/evolution", {"filter": "region:zz"})
    assert bad.status_code == 400 and "zz" in bad.json()["message"]


def test_a_results_request_costs_one_query_once_the_data_is_cached(
    client, analyste, published, django_assert_max_num_queries
):
    params = {"by": "region,taille_commune", "filter": "q4:oui,non"}
    client.get(results_url(published), params)  # builds the process's data set
    with django_assert_max_num_queries(1):
        assert client.get(results_url(published), params).status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get(results_url(published, "q14"), {"by": "region"}).status_code == 200
    client.force_login(analyste)
    with django_assert_max_num_queries(3):  # the session and the user, then the wave
        assert client.get(results_url(published), params).status_code == 200


def test_a_new_import_shows_at_once(client, analyste, published):
    """The cache follows the wave's data_version: no stale figures after a change."""
    before = client.get(results_url(published)).json()["groups"][0]["n"]
    WebResponse.objects.create(wave=published, status=WebResponse.Status.SUBMITTED,
                               answers={"region": "11", "taille_commune": "moins_1000",
                                        "q4": "oui"})
    wave_data_changed(published)
    assert client.get(results_url(published)).json()["groups"][0]["n"] == before + 1


def test_list_queries_do_not_grow_with_waves(client, analyste, django_assert_max_num_queries):
    for i in range(4):
        wave_publish(wave=make_wave(analyste, label=f"20{i}", n=40, seed=i), by=analyste)
    with django_assert_max_num_queries(1):
        assert len(client.get(f"{API}/waves").json()) == 4


def test_a_cached_result_never_shows_an_analysts_figures_in_public(client, analyste,
                                                                  published):
    params = {"by": "region,taille_commune", "filter": "q4:oui"}
    client.force_login(analyste)
    private = client.get(results_url(published, "q14"), params).json()
    assert any(g["too_small"] and g["options"][0]["share"] is not None
               for g in private["groups"])
    client.logout()
    public = client.get(results_url(published, "q14"), params).json()
    assert all(o["share"] is None for g in public["groups"] if g["too_small"]
               for o in g["options"])
    assert [g["n"] for g in public["groups"]] == [g["n"] for g in private["groups"]]


def test_the_endpoints_are_documented(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = {p for p in schema["paths"] if p.startswith("/api/v1/observatory")}
    assert paths == {
        "/api/v1/observatory/waves",
        "/api/v1/observatory/waves/{wave_id}",
        "/api/v1/observatory/waves/{wave_id}/questions/{code}/results",
        "/api/v1/observatory/surveys/{slug}/questions/{code}/evolution",
    }
    results = schema["paths"]["/api/v1/observatory/waves/{wave_id}/questions/{code}/results"]
    names = {p["name"] for p in results["get"]["parameters"]}
    assert {"by", "filter"} <= names
