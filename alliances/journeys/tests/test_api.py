import pytest

from alliances.journeys.models import CohortStatus
from alliances.journeys.services import cohort_create_from_programme, session_create

from .conftest import START

URL = "/api/v1/cohorts"


def test_anonymous_sees_public_cohorts_only(client, cohort, other_cohort, public_cohort):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "items": [
            {
                "id": public_cohort.pk,
                "name": "Promotion publique",
                "status": "brouillon",
                "start": "2027-01-04",
                "end": str(public_cohort.end),
                "calendar_url": "/parcours/promotion-publique/calendrier.ics",
                "programme": "parcours-co-construction",
            }
        ],
    }


def test_members_also_see_their_own_cohort(client, cohort, other_cohort, public_cohort,
                                           participant):
    client.force_login(participant)
    items = client.get(URL).json()["items"]
    assert {item["name"] for item in items} == {"Promotion publique", "Promotion test"}
    mine = next(item for item in items if item["name"] == "Promotion test")
    assert mine["calendar_url"] is None  # a private feed is not listed


def test_admin_sees_every_cohort(client, cohort, other_cohort, public_cohort, admin):
    client.force_login(admin)
    assert client.get(URL).json()["count"] == 3


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"status": "brouillon"}, 2),
        ({"status": "en_cours"}, 1),
        ({"programme": "parcours-co-construction"}, 3),
        ({"programme": "inconnu"}, 0),
        ({"limit": 1}, 3),
    ],
)
def test_filters(client, admin, cohort, public_cohort, programme, params, count):
    cohort_create_from_programme(programme=programme, name="En cours", start=cohort.start,
                                 created_by=None, status=CohortStatus.EN_COURS)
    client.force_login(admin)
    body = client.get(URL, params).json()
    assert body["count"] == count
    assert len(body["items"]) == min(count, params.get("limit", 50))


@pytest.mark.parametrize(
    "params",
    [
        {"status": "fini"},
        {"programme": "Pas un slug!"},
        {"limit": 0},
        {"limit": 201},
        {"offset": -1},
        {"offset": "beaucoup"},
    ],
)
def test_bad_parameters_are_400(client, db, params):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert response.json()["message"] == "Invalid request parameters."


def test_sessions_of_a_public_cohort(client, public_cohort):
    response = client.get(f"{URL}/{public_cohort.pk}/sessions", {"limit": 200})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == public_cohort.sessions.count()
    first = body["items"][0]
    launch = public_cohort.sessions.order_by("start").first()
    assert first == {
        "id": launch.pk,
        "title": launch.title,
        "kind": "apport_theorique",
        "start": "2027-01-07T09:30:00+01:00",
        "end": "2027-01-07T12:30:00+01:00",
        "mode": "presentiel",
    }
    codev = next(item for item in body["items"] if item["kind"] == "codeveloppement")
    assert codev["start"].endswith("T09:30:00+02:00")  # summer time
    starts = [item["start"] for item in body["items"]]
    assert starts == sorted(starts)


def test_session_filters(client, public_cohort):
    url = f"{URL}/{public_cohort.pk}/sessions"
    webinars = client.get(url, {"kind": "webinaire"}).json()
    assert webinars["count"] == public_cohort.sessions.filter(kind="webinaire").count() >= 4
    window = client.get(url, {"after": "2027-01-07T12:00:00", "before": "2027-01-08"}).json()
    assert {item["kind"] for item in window["items"]} == {
        "apport_theorique", "temoignage", "temps_informel",
    }
    assert client.get(url, {"kind": "bilan"}).status_code == 400  # a work kind
    assert client.get(url, {"kind": "inconnu"}).status_code == 400
    assert client.get(url, {"after": "hier"}).status_code == 400


@pytest.mark.parametrize("persona", [None, "outsider", "other_participant"])
def test_a_private_cohort_is_404_to_those_outside(client, request, cohort, other_cohort,
                                                   persona):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    assert client.get(f"{URL}/{cohort.pk}/sessions").status_code == 404
    assert client.get(f"{URL}/999999/sessions").status_code == 404  # same answer


@pytest.mark.parametrize("persona", ["participant", "intervenant", "animateur", "admin"])
def test_a_private_cohort_answers_its_members_and_admins(client, request, cohort, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(f"{URL}/{cohort.pk}/sessions")
    assert response.status_code == 200
    assert response.json()["count"] == cohort.sessions.count()


@pytest.mark.parametrize("cohort_id", ["abc", "0", "-1", str(2**64)])
def test_a_bad_cohort_id_is_400(client, db, cohort_id):
    assert client.get(f"{URL}/{cohort_id}/sessions").status_code == 400


def test_query_counts_do_not_grow_with_the_data(client, programme, participant,
                                                django_assert_max_num_queries):
    for n in range(8):
        cohort = cohort_create_from_programme(
            programme=programme, name=f"Promo {n}", start=START, created_by=None,
            visibility="public",
        )
    for n in range(20):
        session_create(cohort=cohort, kind="webinaire", title=f"Webinaire {n}",
                       start=cohort.sessions.first().start, end=cohort.sessions.first().end,
                       mode="distanciel")
    client.force_login(participant)
    # session + user, count, page
    with django_assert_max_num_queries(4):
        assert client.get(URL).json()["count"] == 8
    # session + user, visibility, count, page
    with django_assert_max_num_queries(5):
        assert client.get(f"{URL}/{cohort.pk}/sessions").json()["count"] >= 30
