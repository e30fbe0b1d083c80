"""The per-person cache of the cohort space and the console (journeys.pagecache): what it
stores, for whom, and what makes a stored page stale without any write service."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliances.discussions.models import Thread
from alliances.discussions.services import thread_create, thread_mark_read
from alliances.journeys.models import CohortMember, Session
from alliances.journeys.pagecache import cohort_pages_changed
from alliances.notifications.services import notify

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def space(cohort) -> str:
    return f"/parcours/{cohort.slug}/"


def console(cohort) -> str:
    return f"/parcours/{cohort.slug}/animation/"


def steady(client, path: str, **extra):
    """GET `path` until the browser holds a CSRF cookie and the page is stored; return the
    answer of a request served from the cache and its query count."""
    client.get(path, **extra)
    client.get(path, **extra)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **extra)
    return response, len(captured.captured_queries)


@pytest.mark.parametrize("who, page", [("participant", space), ("animateur", console)])
def test_a_stored_page_costs_three_queries(client, cohort, who, page, request):
    client.force_login(request.getfixturevalue(who))
    response, queries = steady(client, page(cohort))
    assert response.status_code == 200
    # The session, the user, and one query for the cohort's version and the viewer's state.
    assert queries == 3
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_the_first_view_without_a_csrf_cookie_is_not_stored(client, cohort, participant):
    client.force_login(participant)
    client.get(space(cohort))  # sets the CSRF cookie: rendered with a new secret
    with CaptureQueriesContext(connection) as captured:
        client.get(space(cohort))
    assert len(captured.captured_queries) > 3  # rendered again, then stored


def test_people_never_get_each_others_page(client, cohort, participant, animateur):
    client.force_login(participant)
    mine, _ = steady(client, space(cohort), **EN)
    assert "My to-dos" in mine.content.decode()
    client.force_login(animateur)  # a new session and CSRF secret: another key
    theirs, _ = steady(client, space(cohort), **EN)
    body = theirs.content.decode()
    assert "My to-dos" not in body
    assert "Animateur&#x27;s console" in body or "Animateur's console" in body


def test_a_stored_form_token_is_accepted(client, cohort, participant):
    client.force_login(participant)
    response, queries = steady(client, space(cohort))
    assert queries == 3
    token = response.content.decode().split('name="csrfmiddlewaretoken" value="')[1][:64]
    session = cohort.sessions.order_by("start").first()
    client.handler.enforce_csrf_checks = True
    answer = client.post(
        f"/parcours/seances/{session.pk}/inscription/", {"csrfmiddlewaretoken": token}
    )
    assert answer.status_code == 302
    assert session.registrations.filter(user=participant).exists()


def test_pending_messages_bypass_the_cache_and_are_shown(client, cohort, participant):
    client.force_login(participant)
    steady(client, space(cohort))
    session = cohort.sessions.order_by("start").first()
    answer = client.post(f"/parcours/seances/{session.pk}/inscription/", **EN)
    body = client.get(answer["Location"], **EN).content.decode()
    assert f"You are registered to “{session.title}”." in body
    # Shown once, and the page after it is not the one with the message.
    assert "You are registered to" not in client.get(space(cohort), **EN).content.decode()


def test_a_member_removed_gets_404_at_once(client, cohort, participant):
    client.force_login(participant)
    steady(client, space(cohort))
    # Removed behind the services' back: the key's role part alone changes the answer.
    CohortMember.objects.filter(cohort=cohort, user=participant).delete()
    assert client.get(space(cohort)).status_code == 404


def test_the_header_count_follows_new_notifications(client, cohort, participant):
    client.force_login(participant)
    before, _ = steady(client, space(cohort), **EN)
    assert "(1 unread)" not in before.content.decode()
    notify(recipients=[participant], kind="reply", title="Hello", url="/")
    after = client.get(space(cohort), **EN).content.decode()
    assert "(1 unread)" in after


def test_reading_a_thread_clears_its_new_mark(client, cohort, participant, animateur):
    thread = thread_create(cohort=cohort, author=animateur, title="Bienvenue", body="Bonjour")
    client.force_login(participant)
    before, _ = steady(client, space(cohort), **EN)
    thread_mark_read(thread=Thread.objects.get(pk=thread.pk), user=participant)
    after = client.get(space(cohort), **EN).content.decode()
    assert "discussion-unread" in before.content.decode()
    assert "discussion-unread" not in after


def test_time_passing_a_session_start_renders_the_page_again(client, cohort, participant):
    session: Session = cohort.sessions.order_by("start").first()
    with time_machine.travel(session.start - datetime.timedelta(minutes=5), tick=False):
        client.force_login(participant)
        before, _ = steady(client, space(cohort), **EN)
        assert "Give my feedback" not in before.content.decode()
    with time_machine.travel(session.start + datetime.timedelta(minutes=1), tick=False):
        with CaptureQueriesContext(connection) as captured:
            after = client.get(space(cohort), **EN)
    assert len(captured.captured_queries) > 3
    assert "Give my feedback" in after.content.decode()


def test_each_language_has_its_page(client, cohort, participant):
    client.force_login(participant)
    english, _ = steady(client, space(cohort), **EN)
    french, _ = steady(client, space(cohort), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Timeline" in english.content.decode()
    assert "Chronologie" in french.content.decode()


def test_a_version_bump_renders_the_page_again(client, cohort, participant):
    client.force_login(participant)
    steady(client, space(cohort))
    cohort_pages_changed(cohort.pk)
    with CaptureQueriesContext(connection) as captured:
        client.get(space(cohort))
    assert len(captured.captured_queries) > 3


def test_a_stored_page_loses_its_indentation_only(client, cohort, participant):
    from alliances.journeys.pagecache import _collapse_whitespace

    client.force_login(participant)
    response, _ = steady(client, space(cohort), **EN)
    body = response.content.decode()
    assert "\n  " not in body and "My to-dos" in body
    assert _collapse_whitespace(b"<p>a  \n    <b>b</b></p>") == b"<p>a\n<b>b</b></p>"
    kept = b"<textarea>\n    indented\n</textarea>\n    <p>"
    assert _collapse_whitespace(kept) == kept
