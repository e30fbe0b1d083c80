"""Private calendar feeds: the token URL is the credential; it can be revoked."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from icalendar import Calendar

from alliances.journeys.models import CalendarToken, CohortMember, CohortRole
from alliances.journeys.services import (
    calendar_token_get_or_create,
    calendar_token_rotate,
    cohort_member_add,
)

PARIS = ZoneInfo("Europe/Paris")


def _path(token: CalendarToken) -> str:
    return f"/parcours/calendrier/{token.token}.ics"


def _events(client, token: CalendarToken) -> list:
    response = client.get(_path(token))
    assert response.status_code == 200
    return Calendar.from_ical(response.content).walk("VEVENT")


# --- the page ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    response = client.get("/parcours/calendriers/")
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/")


def test_the_page_shows_a_personal_and_a_cohort_address(client, cohort, participant):
    client.force_login(participant)
    response = client.get("/parcours/calendriers/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    personal = CalendarToken.objects.active().get(user=participant, cohort=None)
    mine = CalendarToken.objects.active().get(user=participant, cohort=cohort)
    for token in (personal, mine):
        assert f'value="http://testserver{_path(token)}"' in html
        assert f'href="webcal://testserver{_path(token)}"' in html
    assert html.count("readonly") == 2
    assert len(re.findall(r'<label for="calendar-', html)) == 2
    assert "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
    assert response["Cache-Control"].startswith("max-age=0")
    # A second visit shows the same addresses.
    client.get("/parcours/calendriers/")
    assert CalendarToken.objects.count() == 2


def test_rotating_revokes_the_old_address(client, cohort, participant):
    client.force_login(participant)
    old = calendar_token_get_or_create(user=participant, cohort=cohort)
    response = client.post("/parcours/calendriers/", {"cohort": cohort.pk})
    assert response.status_code == 302
    new = CalendarToken.objects.active().get(user=participant, cohort=cohort)
    assert new.token != old.token
    assert client.get(_path(old)).status_code == 404
    assert client.get(_path(new)).status_code == 200


def test_rotating_the_personal_address(client, cohort, participant):
    client.force_login(participant)
    old = calendar_token_get_or_create(user=participant)
    mine = calendar_token_get_or_create(user=participant, cohort=cohort)
    assert client.post("/parcours/calendriers/", {"cohort": ""}).status_code == 302
    assert client.get(_path(old)).status_code == 404
    assert client.get(_path(mine)).status_code == 200  # the other addresses keep working


def test_an_outsider_cannot_rotate_a_cohort_address(client, cohort, outsider):
    client.force_login(outsider)
    assert client.post("/parcours/calendriers/", {"cohort": cohort.pk}).status_code == 404
    assert client.post("/parcours/calendriers/", {"cohort": "x"}).status_code == 404
    assert not CalendarToken.objects.exists()


# --- the services -----------------------------------------------------------------------


def test_a_non_member_gets_no_cohort_token(cohort, outsider, other_participant):
    for user in (outsider, other_participant):
        with pytest.raises(ValidationError):
            calendar_token_get_or_create(user=user, cohort=cohort)
        with pytest.raises(ValidationError):
            calendar_token_rotate(user=user, cohort=cohort)
    assert not CalendarToken.objects.exists()


def test_an_admin_gets_a_cohort_token(client, cohort, admin):
    token = calendar_token_get_or_create(user=admin, cohort=cohort)
    assert calendar_token_get_or_create(user=admin, cohort=cohort) == token
    assert len(_events(client, token)) == cohort.sessions.count()


# --- the feed ---------------------------------------------------------------------------


def test_the_cohort_feed(client, cohort, participant):
    token = calendar_token_get_or_create(user=participant, cohort=cohort)
    response = client.get(_path(token))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=300"
    assert response["Referrer-Policy"] == "no-referrer"
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == cohort.sessions.count() > 0
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    session = cohort.sessions.first()
    event = next(e for e in events if str(e["UID"]) == f"session-{session.pk}@alliances")
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event["DTSTART"].dt == session.start
    assert str(event["URL"]) == f"http://testserver/parcours/{cohort.slug}/#session-{session.pk}"


def test_sessions_keep_their_local_time_across_the_march_change(client, cohort, participant):
    sessions = list(cohort.sessions.all())
    # The cohort starts in January 2027; summer time begins on 28 March 2027.
    change = datetime.datetime(2027, 3, 28, 3, tzinfo=PARIS)
    winter = [s for s in sessions if s.start < change and s.start.astimezone(PARIS).time()
              == datetime.time(9, 30)]
    summer = [s for s in sessions if s.start > change and s.start.astimezone(PARIS).time()
              == datetime.time(9, 30)]
    assert winter and summer, "the default programme spans the March change"
    events = {str(e["UID"]): e for e in _events(client, calendar_token_get_or_create(
        user=participant, cohort=cohort))}
    for session in (winter[-1], summer[0]):
        start = events[f"session-{session.pk}@alliances"]["DTSTART"]
        assert start.params["TZID"] == "Europe/Paris"
        assert start.dt.astimezone(PARIS).time() == datetime.time(9, 30)
        assert start.dt == session.start
    # Same wall-clock time, one hour apart in UTC: 08:30Z in winter, 07:30Z in summer.
    assert winter[-1].start.astimezone(datetime.UTC).time() == datetime.time(8, 30)
    assert summer[0].start.astimezone(datetime.UTC).time() == datetime.time(7, 30)


def test_unknown_and_revoked_tokens_are_not_found(client, cohort, participant):
    assert client.get("/parcours/calendrier/inconnu.ics").status_code == 404
    token = calendar_token_get_or_create(user=participant, cohort=cohort)
    calendar_token_rotate(user=participant, cohort=cohort)
    response = client.get(_path(token))
    assert response.status_code == 404
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_personal_feed_merges_my_cohorts(client, cohort, other_cohort, participant):
    cohort_member_add(cohort=other_cohort, user=participant, role=CohortRole.PARTICIPANT)
    events = _events(client, calendar_token_get_or_create(user=participant))
    expected = cohort.sessions.count() + other_cohort.sessions.count()
    assert len(events) == expected
    urls = {str(e["URL"]).split("#")[0] for e in events}
    assert urls == {f"http://testserver/parcours/{c.slug}/" for c in (cohort, other_cohort)}


def test_a_removed_member_loses_the_sessions(client, cohort, other_cohort, participant):
    cohort_member_add(cohort=other_cohort, user=participant, role=CohortRole.PARTICIPANT)
    personal = calendar_token_get_or_create(user=participant)
    mine = calendar_token_get_or_create(user=participant, cohort=cohort)
    CohortMember.objects.filter(cohort=cohort, user=participant).delete()
    assert len(_events(client, mine)) == 0
    assert len(_events(client, personal)) == other_cohort.sessions.count()


def test_an_inactive_user_has_no_feed(client, cohort, participant):
    token = calendar_token_get_or_create(user=participant, cohort=cohort)
    participant.is_active = False
    participant.save(update_fields=["is_active"])
    assert client.get(_path(token)).status_code == 404


def test_the_feed_only_answers_reads(client, cohort, participant):
    token = calendar_token_get_or_create(user=participant, cohort=cohort)
    assert client.post(_path(token)).status_code == 405


def test_the_feed_query_count_is_locked(
    client, cohort, other_cohort, participant, django_assert_max_num_queries
):
    cohort_member_add(cohort=other_cohort, user=participant, role=CohortRole.PARTICIPANT)
    token = calendar_token_get_or_create(user=participant)
    with django_assert_max_num_queries(6):
        assert client.get(_path(token)).status_code == 200
    mine = calendar_token_get_or_create(user=participant, cohort=cohort)
    with django_assert_max_num_queries(6):
        assert client.get(_path(mine)).status_code == 200
