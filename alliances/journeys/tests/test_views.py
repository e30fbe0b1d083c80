"""The parcours pages: list, programme, cohort space, iCal feed, session registration."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from icalendar import Calendar

from alliances.accounts.services import user_create
from alliances.journeys.models import CohortRole, Registration, Session
from alliances.journeys.services import (
    cohort_member_add,
    pilot_territory_add,
    session_update,
    submission_save,
)

PARIS = ZoneInfo("Europe/Paris")
# English msgids: the French catalogue is filled separately.
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def url(cohort) -> str:
    return f"/parcours/{cohort.slug}/"


def register_url(session) -> str:
    return f"/parcours/seances/{session.pk}/inscription/"


# --- list and programme ---------------------------------------------------------------


def test_the_list_shows_visible_cohorts_and_public_programmes(
    client, cohort, public_cohort, other_cohort, participant
):
    body = client.get("/parcours/", **EN).content.decode()
    assert "Promotion publique" in body
    assert "Promotion test" not in body
    assert "Parcours d&#x27;expérience co-construction territoriale" in body
    client.force_login(participant)
    body = client.get("/parcours/", **EN).content.decode()
    assert "Promotion test" in body
    assert "Autre promotion" not in body


def test_the_programme_page_shows_phases_and_steps_with_their_month(client, programme):
    response = client.get(f"/parcours/programme/{programme.slug}/", **EN)
    assert response.status_code == 200
    body = response.content.decode()
    for phase in ("Comprendre", "Mettre en œuvre", "Approfondir", "Mettre en perspective"):
        assert phase in body
    assert "Session de co-développement entre pairs" in body
    assert ">M1<" in body and ">M9<" in body


def test_an_unknown_or_private_programme_is_not_found(client, programme):
    assert client.get("/parcours/programme/inconnu/").status_code == 404
    programme.is_public = False
    programme.save()
    assert client.get(f"/parcours/programme/{programme.slug}/").status_code == 404


# --- who sees the cohort space ----------------------------------------------------------


@pytest.mark.parametrize("who", [None, "outsider", "other_participant"])
def test_a_public_cohort_is_seen_by_anyone(client, public_cohort, who, request):
    if who:
        client.force_login(request.getfixturevalue(who))
    response = client.get(url(public_cohort))
    assert response.status_code == 200
    assert "Promotion publique" in response.content.decode()


@pytest.mark.parametrize("who", [None, "outsider", "other_participant"])
def test_a_private_cohort_is_not_found_by_outsiders(client, cohort, other_cohort, who, request):
    if who:
        client.force_login(request.getfixturevalue(who))
    assert client.get(url(cohort)).status_code == 404


@pytest.mark.parametrize("who", ["participant", "animateur", "intervenant", "admin"])
def test_members_and_admins_see_their_private_cohort(client, cohort, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(url(cohort), **EN)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<h1") == 1
    assert "Val-de-Marne" in body
    assert "Paul Participant" in body  # names are shown to members


def test_people_are_named_to_members_only(client, public_cohort, participant, outsider):
    territory = pilot_territory_add(cohort=public_cohort, name="Créteil")
    cohort_member_add(cohort=public_cohort, user=participant, role=CohortRole.PARTICIPANT,
                      pilot_territory=territory)
    client.force_login(outsider)
    body = client.get(url(public_cohort), **EN).content.decode()
    assert "Créteil" in body
    assert "1 participant" in body
    assert "Paul Participant" not in body
    assert "Antoine Animateur" not in body
    client.force_login(participant)
    body = client.get(url(public_cohort), **EN).content.decode()
    assert "Paul Participant" in body
    assert "Antoine Animateur" in body


def test_unknown_cohort_is_not_found(client, db):
    assert client.get("/parcours/inconnue/").status_code == 404


def test_post_is_refused_on_the_cohort_space(client, public_cohort):
    assert client.post(url(public_cohort)).status_code == 405


# --- timeline, next session, to-dos -----------------------------------------------------


@time_machine.travel(datetime.datetime(2027, 2, 14, 12, 0, tzinfo=PARIS), tick=False)
def test_the_timeline_marks_past_current_and_next(client, cohort, participant):
    # 2027-01-04 + 38 days = 11 February: the webinar is past, the bilan is due
    # 5 March, the next session is the mise en situation on Thursday 11 March.
    client.force_login(participant)
    response = client.get(url(cohort), **EN)
    context = response.context
    assert context["next_session"].title == "Session collective — mise en situation"
    groups = context["timeline"]
    assert [g.state for g in groups] == ["current", "upcoming", "upcoming", "upcoming"]
    first = groups[0].items
    assert [i.state for i in first if i.kind == "session"] == ["past"] * 4
    assert [i.obj.title for i in first][-1] == "Bilan de départ du territoire"
    second = {i.obj.title: i.state for i in groups[1].items}
    assert second["Session collective — mise en situation"] == "next"
    assert second["Webinaire — les quatre types d'alliances en pratique"] == "upcoming"
    # Items of a phase are in date order.
    keys = [i.sort_key for g in groups for i in g.items]
    assert keys == sorted(keys)
    body = response.content.decode()
    assert 'id="session-' in body
    assert "Thursday 11 March 2027, 09:30" in body


@time_machine.travel(datetime.datetime(2027, 3, 10, 12, 0, tzinfo=PARIS), tick=False)
def test_my_todos_show_my_submission_status_and_lateness(client, cohort, participant):
    trajectoire = cohort.assignments.get(kind="trajectoire")
    submission_save(assignment=trajectoire, user=participant, text="Mon plan", submit=True)
    client.force_login(participant)
    todos = {t["assignment"].title: t for t in client.get(url(cohort), **EN).context["todos"]}
    assert todos["Bilan de départ du territoire"]["late"] is True
    assert todos["Trajectoire du territoire"]["status"] == "rendu"
    assert todos["Trajectoire du territoire"]["late"] is False
    assert todos["Cible à neuf mois"]["late"] is False


def test_only_participants_get_todos(client, cohort, animateur):
    client.force_login(animateur)
    response = client.get(url(cohort), **EN)
    assert "todos" not in response.context
    assert "My to-dos" not in response.content.decode()


def test_the_cohort_space_query_count_is_bounded(
    client, cohort, participant, django_assert_max_num_queries, password
):
    assert cohort.sessions.count() >= 10
    territory = cohort.pilot_territories.get()
    for n in range(6):
        user = user_create(email=f"p{n}@example.org", password=password,
                           display_name=f"Personne {n}")
        cohort_member_add(cohort=cohort, user=user, role=CohortRole.PARTICIPANT,
                          pilot_territory=territory if n % 2 else None)
        Registration.objects.create(session=cohort.sessions.first(), user=user)
    extra = pilot_territory_add(cohort=cohort, name="Ardèche")
    cohort_member_add(cohort=cohort, user=user, role=CohortRole.PARTICIPANT,
                      pilot_territory=extra)
    client.force_login(participant)
    with django_assert_max_num_queries(20):
        response = client.get(url(cohort))
    assert response.status_code == 200


# --- registration -----------------------------------------------------------------------


def test_a_participant_registers(client, cohort, participant):
    session = cohort.sessions.first()
    client.force_login(participant)
    response = client.post(register_url(session), **EN)
    assert response.status_code == 302
    assert response["Location"] == f"{url(cohort)}#session-{session.pk}"
    assert Registration.objects.filter(session=session, user=participant).exists()
    [message] = get_messages(response.wsgi_request)
    assert message.level_tag == "success"
    page = client.get(url(cohort), **EN).content.decode()
    assert "You are registered" in page


def test_registration_is_post_only_and_for_signed_in_people(client, cohort, participant):
    session = cohort.sessions.first()
    response = client.post(register_url(session))
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/")
    client.force_login(participant)
    assert client.get(register_url(session)).status_code == 405
    assert not Registration.objects.exists()


def test_outsiders_may_not_register(client, cohort, public_cohort, outsider):
    client.force_login(outsider)
    assert client.post(register_url(cohort.sessions.first())).status_code == 404
    assert client.post(register_url(public_cohort.sessions.first())).status_code == 403
    assert client.post("/parcours/seances/999999/inscription/").status_code == 404
    assert not Registration.objects.exists()


def test_a_full_session_shows_the_service_message(client, cohort, participant, intervenant):
    session = cohort.sessions.first()
    session_update(session=session, data={"capacity": 1})
    Registration.objects.create(session=session, user=intervenant)
    client.force_login(participant)
    response = client.post(register_url(session), follow=True, **EN)
    assert not Registration.objects.filter(user=participant).exists()
    body = response.content.decode()
    assert "message-error" in body
    assert "This session is full (1 places)." in body


@time_machine.travel(datetime.datetime(2027, 12, 1, 12, 0, tzinfo=PARIS), tick=False)
def test_a_past_session_is_refused(client, cohort, participant):
    client.force_login(participant)
    response = client.post(register_url(cohort.sessions.first()), follow=True, **EN)
    assert "message-error" in response.content.decode()
    assert not Registration.objects.exists()


# --- the calendar feed ------------------------------------------------------------------


def test_the_feed_of_a_public_cohort(client, public_cohort):
    session = public_cohort.sessions.first()
    session_update(session=session, data={"place": "Maison des associations, Créteil"})
    response = client.get(f"/parcours/{public_cohort.slug}/calendrier.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == public_cohort.sessions.count()
    first = next(e for e in events if str(e["UID"]) == f"session-{session.pk}@alliances")
    start = first["DTSTART"]
    assert start.params["TZID"] == "Europe/Paris"
    assert start.dt == session.start
    assert start.dt.astimezone(PARIS).time() == datetime.time(9, 30)
    assert str(first["URL"]) == (
        f"http://testserver/parcours/{public_cohort.slug}/#session-{session.pk}"
    )
    assert str(first["LOCATION"]) == "Maison des associations, Créteil"
    webinar = next(e for e in events if str(e["SUMMARY"]).startswith("Webinaire"))
    assert "LOCATION" not in webinar  # no place nor link yet


def test_an_online_session_is_located_by_its_link(client, public_cohort):
    session = public_cohort.sessions.filter(mode="distanciel").first()
    session_update(session=session, data={"link": "https://visio.example.org/parcours"})
    calendar = Calendar.from_ical(
        client.get(f"/parcours/{public_cohort.slug}/calendrier.ics").content
    )
    event = next(e for e in calendar.walk("VEVENT")
                 if str(e["UID"]) == f"session-{session.pk}@alliances")
    assert str(event["LOCATION"]) == "https://visio.example.org/parcours"


def test_the_feed_url_matches_the_api(client, public_cohort):
    api = client.get("/api/v1/cohorts").json()["items"][0]
    assert client.get(api["calendar_url"]).status_code == 200


def test_a_private_cohort_has_no_public_feed(client, cohort, participant):
    client.force_login(participant)
    assert client.get(f"/parcours/{cohort.slug}/calendrier.ics").status_code == 404
    assert client.get("/parcours/inconnue/calendrier.ics").status_code == 404


def test_the_feed_keeps_paris_wall_clock_across_the_time_change(client, public_cohort):
    # The cohort spans the end of March 2027: sessions on both sides stay at 09:30/11:00.
    calendar = Calendar.from_ical(
        client.get(f"/parcours/{public_cohort.slug}/calendrier.ics").content
    )
    times = {
        (e["DTSTART"].dt.utcoffset(), e["DTSTART"].dt.time())
        for e in calendar.walk("VEVENT")
    }
    offsets = {offset for offset, _time in times}
    assert offsets == {datetime.timedelta(hours=1), datetime.timedelta(hours=2)}
    assert {t for _o, t in times} <= {
        datetime.time(9, 30), datetime.time(11, 0), datetime.time(14, 0),
        datetime.time(17, 30),
    }


def test_sessions_are_listed_once_each(client, cohort, participant):
    client.force_login(participant)
    timeline = client.get(url(cohort)).context["timeline"]
    listed = [i.obj.pk for g in timeline for i in g.items if i.kind == "session"]
    expected = Session.objects.filter(cohort=cohort).values_list("pk", flat=True)
    assert sorted(listed) == sorted(expected)


def test_the_animateur_sees_the_console_and_invite_links(client, cohort, animateur, participant):
    client.force_login(animateur)
    body = client.get(f"/parcours/{cohort.slug}/").content.decode()
    assert f"/parcours/{cohort.slug}/animation/" in body
    assert f"/parcours/{cohort.slug}/animation/inviter/" in body
    client.force_login(participant)
    body = client.get(f"/parcours/{cohort.slug}/").content.decode()
    assert "/animation/" not in body


@pytest.mark.parametrize(("who", "shown"), [("animateur", True), ("admin", True),
                                            ("participant", False), (None, False)])
def test_the_index_offers_a_new_cohort_to_those_who_may(db, client, request, who, shown):
    if who:
        client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("journeys:index")).content.decode()
    assert (reverse("journeys:cohort_create") in page) is shown


def test_the_cohort_space_links_discussions_and_action_plans_for_members(
    client, cohort, participant, public_cohort
):
    client.force_login(participant)
    page = client.get(reverse("journeys:cohort", args=[cohort.slug])).content.decode()
    assert reverse("discussions:cohort", args=[cohort.slug]) in page
    assert reverse("codev:my_plans") in page
    client.logout()
    page = client.get(reverse("journeys:cohort", args=[public_cohort.slug])).content.decode()
    assert reverse("discussions:cohort", args=[public_cohort.slug]) not in page
