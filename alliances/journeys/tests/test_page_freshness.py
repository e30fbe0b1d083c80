"""Every write that changes the cohort space or the console makes their stored pages stale.

Each case: a viewer's page is stored (journeys.pagecache) and served from the cache, then
someone writes — through the page the site offers (an HTTP POST from another browser), a
service, or the back-office — and the viewer's next request shows the change.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone, translation

from alliances.accounts.services import user_create, user_delete
from alliances.discussions.services import post_create, thread_create
from alliances.journeys.models import (
    Assignment,
    CohortRole,
    Invitation,
    Submission,
    SubmissionStatus,
)
from alliances.journeys.services import (
    PARIS,
    cohort_invite,
    cohort_member_add,
    cohort_member_remove,
    cohort_member_update,
    cohort_settings_update,
    cohort_shift,
    invitation_accept,
    pilot_territory_add,
    session_create,
    session_delete,
    session_register,
    session_update,
    submission_save,
)
from alliances.journeys.submissions import submission_hand_in
from alliances.notifications.services import notifications_mark_all_read

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
# A page served from the cache: the session, the user and the cohort's state.
HIT_QUERIES = 4


@pytest.fixture(autouse=True)
def _empty_cohort_pages():
    caches["cohort_pages"].clear()


def login(user) -> Client:
    """A browser of its own: its own session, CSRF cookie and flash messages."""
    client = Client()
    client.force_login(user)
    return client


def page_url(page: str, cohort) -> str:
    return reverse(
        {"space": "journeys:cohort", "console": "journeys:console"}[page], args=[cohort.slug]
    )


def stored(client: Client, url: str) -> str:
    """The page as stored: asked until the browser holds a CSRF cookie and the page is
    kept, then answered from the cache."""
    client.get(url, **EN)
    client.get(url, **EN)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **EN)
    assert response.status_code == 200
    assert len(captured.captured_queries) <= HIT_QUERIES, "not served from the cache"
    return response.content.decode()


def label(choice) -> str:
    with translation.override("en"):
        return str(choice.label)


def iso(moment: datetime.datetime) -> str:
    return dateformat.format(timezone.localtime(moment, PARIS), "c")


@pytest.fixture
def w(frozen, cohort, animateur, participant, intervenant, admin, password):
    """Five months into the cohort: a second participant, a session to come with ten
    seats, a held one, work due, a discussion."""
    territory = cohort.pilot_territories.get()
    second = user_create(
        email="seconde@example.org", password=password, display_name="Pauline Seconde"
    )
    cohort_member_add(
        cohort=cohort, user=second, role=CohortRole.PARTICIPANT, pilot_territory=territory
    )
    upcoming = cohort.sessions.filter(start__gt=frozen).order_by("start", "pk").first()
    session_update(session=upcoming, data={"title": "Séance du jour J", "capacity": 10})
    held = cohort.sessions.filter(end__lte=frozen).order_by("-end", "-pk").first()
    session_update(session=held, data={"title": "Séance passée"})
    today = timezone.localdate(frozen, PARIS)
    due = list(Assignment.objects.filter(cohort=cohort, due__lt=today).order_by("due", "pk"))
    assert due and upcoming and held
    thread = thread_create(
        cohort=cohort,
        author=animateur,
        title="Ouverture du parcours",
        body="Bienvenue à toutes et à tous.",
    )
    return SimpleNamespace(
        cohort=cohort,
        animateur=animateur,
        participant=participant,
        second=second,
        intervenant=intervenant,
        admin=admin,
        territory=territory,
        upcoming=upcoming,
        held=held,
        assignment=due[0],
        due_count=len(due),
        thread=thread,
        password=password,
        later=frozen,
    )


def work_row(user, done: int, due: int) -> tuple[str, re.Pattern]:
    """The console's row of a participant: their work handed in out of the work due."""
    return "console", re.compile(
        rf'{re.escape(str(user))}</th>\s*<td class="numeric">[^<]*</td>\s*'
        rf'<td class="numeric">{done} / {due}</td>'
    )


def todo_badge(status) -> tuple[str, str]:
    """The participant's to-do's status, in the cohort space."""
    return "space", f">{label(status)}</span>"


Expected = str | tuple[str, str | re.Pattern]


def on(page: str, body: str, expected: Expected) -> bool | None:
    """Whether `expected` is on the page; None when it is about the other page."""
    if isinstance(expected, str):
        return expected in body
    where, what = expected
    if where != page:
        return None
    return what in body if isinstance(what, str) else what.search(body) is not None


@dataclass
class Case:
    """`write` changes the cohort and returns what the pages then show (`shown`) and no
    longer show (`gone`); `prepare` runs before the pages are stored."""

    write: Callable[[SimpleNamespace], tuple[list[Expected], list[Expected]]]
    pages: list[tuple[str, str]]  # (viewer, page)
    prepare: Callable[[SimpleNamespace], None] = field(default=lambda w: None)


# --- the writes -------------------------------------------------------------------------


def settings_update(w):
    cohort_settings_update(
        cohort=w.cohort,
        name="Promotion renommée",
        status=w.cohort.status,
        visibility=w.cohort.visibility,
        end=w.cohort.end,
    )
    return ["Promotion renommée"], []


def shift(w):
    first = w.cohort.sessions.order_by("start", "pk").first()
    was_start, was_session = w.cohort.start, iso(first.start)
    cohort_shift(cohort=w.cohort, days=7)
    first.refresh_from_db()
    start = was_start + datetime.timedelta(days=7)
    return [f'datetime="{start:%Y-%m-%d}"', iso(first.start)], [was_session]


def shift_console(w):
    first = w.cohort.sessions.order_by("start", "pk").first()
    was = iso(first.start)
    cohort_shift(cohort=w.cohort, days=7)
    first.refresh_from_db()
    return [iso(first.start)], [was]


def territory_add(w):
    pilot_territory_add(cohort=w.cohort, name="Essonne pilote")
    return ["Essonne pilote"], []


def member_add(w):
    newcomer = user_create(
        email="zoe@example.org", password=w.password, display_name="Zoé Nouvelle"
    )
    cohort_member_add(
        cohort=w.cohort, user=newcomer, role=CohortRole.PARTICIPANT, pilot_territory=w.territory
    )
    return ["Zoé Nouvelle"], []


def add_second_territory(w):
    pilot_territory_add(cohort=w.cohort, name="Hauts-de-Seine")


def member_update(w):
    member = w.cohort.members.get(user=w.second)
    moved_to = w.cohort.pilot_territories.get(name="Hauts-de-Seine")
    cohort_member_update(member=member, role=CohortRole.PARTICIPANT, pilot_territory=moved_to)
    return [("console", "<td>Hauts-de-Seine</td>")], [("space", "No participant yet.")]


def member_remove(w):
    cohort_member_remove(member=w.cohort.members.get(user=w.second))
    return [], ["Pauline Seconde"]


def invitation_accepted(w):
    cohort_invite(
        cohort=w.cohort,
        emails="yann@example.org",
        role=CohortRole.PARTICIPANT,
        invited_by=w.animateur,
        pilot_territory=w.territory,
    )
    newcomer = user_create(
        email="yann@example.org", password=w.password, display_name="Yann Invité"
    )
    invitation_accept(token=Invitation.objects.get(email="yann@example.org").token, user=newcomer)
    return ["Yann Invité"], []


def session_new(w):
    start = datetime.datetime.combine(
        timezone.localdate(w.later, PARIS) + datetime.timedelta(days=3),
        datetime.time(14),
        tzinfo=PARIS,
    )
    session_create(
        cohort=w.cohort,
        kind="temps_informel",
        title="Séance ajoutée",
        start=start,
        end=start + datetime.timedelta(hours=2),
        place="Salle B",
    )
    return ["Séance ajoutée"], []


def session_renamed(w):
    session_update(session=w.upcoming, data={"title": "Séance renommée"})
    return ["Séance renommée"], ["Séance du jour J"]


def session_deleted(w):
    session_delete(session=w.upcoming)
    return [], ["Séance du jour J"]


def register_http(w):
    response = login(w.second).post(reverse("journeys:session_register", args=[w.upcoming.pk]))
    assert response.status_code == 302
    return ["9 seats left"], ["10 seats left"]


def second_registers(w):
    session_register(session=w.upcoming, user=w.second)


def cancel_http(w):
    response = login(w.second).post(reverse("journeys:session_unregister", args=[w.upcoming.pk]))
    assert response.status_code == 302
    return ["10 seats left"], ["9 seats left"]


def attendance_http(w):
    response = login(w.animateur).post(
        reverse("journeys:attendance", args=[w.held.pk]), {"present": [w.participant.pk]}
    )
    assert response.status_code == 302
    return ["1 present"], []


def hand_in_http(w):
    response = login(w.participant).post(
        reverse("journeys:assignment", args=[w.assignment.pk]), {"text": "Mon diagnostic"}
    )
    assert response.status_code == 302
    return [
        work_row(w.participant, 1, w.due_count),
        todo_badge(SubmissionStatus.RENDU),
    ], [work_row(w.participant, 0, w.due_count)]


def participant_hands_in(w):
    submission_hand_in(assignment=w.assignment, user=w.participant, text="Mon diagnostic")


def review_http(w):
    submission = Submission.objects.get(assignment=w.assignment, user=w.participant)
    prefix = f"s{submission.pk}"
    response = login(w.animateur).post(
        reverse("journeys:submission_review", args=[submission.pk]),
        {f"{prefix}-feedback": "À compléter", f"{prefix}-status": SubmissionStatus.A_REPRENDRE},
    )
    assert response.status_code == 302
    return [
        work_row(w.participant, 0, w.due_count),
        todo_badge(SubmissionStatus.A_REPRENDRE),
    ], [work_row(w.participant, 1, w.due_count)]


def legacy_submission_save(w):
    submission_save(assignment=w.assignment, user=w.participant, text="Fait", submit=True)
    return [
        work_row(w.participant, 1, w.due_count),
        todo_badge(SubmissionStatus.RENDU),
    ], [work_row(w.participant, 0, w.due_count)]


def thread_new_http(w):
    response = login(w.second).post(
        reverse("discussions:cohort", args=[w.cohort.slug]),
        {"title": "Covoiturage pour la séance", "body": "Qui part de Créteil ?"},
    )
    assert response.status_code == 302
    return ["Covoiturage pour la séance"], []


def reply(w):
    post_create(thread=w.thread, author=w.second, body="Merci !")
    return ["2 messages"], ["1 message"]


def lock_http(w):
    response = login(w.animateur).post(
        reverse("discussions:lock", args=[w.thread.pk]), {"locked": "1"}
    )
    assert response.status_code == 302
    return ['<span class="badge">Locked</span>'], []


def pin_http(w):
    response = login(w.animateur).post(
        reverse("discussions:pin", args=[w.thread.pk]), {"pinned": "1"}
    )
    assert response.status_code == 302
    return ['<span class="badge">Pinned</span>'], []


def profile_http(w):
    response = login(w.second).post(
        reverse("accounts:profile_edit"), {"display_name": "Pauline Renommée", "home_commune": ""}
    )
    assert response.status_code == 302
    return ["Pauline Renommée"], ["Pauline Seconde"]


def account_deleted(w):
    user_delete(user=w.second)
    return [], ["Pauline Seconde"]


CASES = {
    "cohort_settings_update": Case(
        settings_update, [("participant", "space"), ("animateur", "console")]
    ),
    "cohort_shift": Case(shift, [("participant", "space")]),
    "cohort_shift_console": Case(shift_console, [("animateur", "console")]),
    "pilot_territory_add": Case(territory_add, [("participant", "space"), ("animateur", "space")]),
    "cohort_member_add": Case(member_add, [("participant", "space"), ("animateur", "console")]),
    # The territory's card said it had no one; the console's row names it.
    "cohort_member_update": Case(
        member_update,
        [("participant", "space"), ("animateur", "console")],
        prepare=add_second_territory,
    ),
    "cohort_member_remove": Case(
        member_remove, [("participant", "space"), ("animateur", "console")]
    ),
    "invitation_accept": Case(
        invitation_accepted, [("participant", "space"), ("animateur", "console")]
    ),
    "session_create": Case(session_new, [("participant", "space"), ("animateur", "console")]),
    "session_update": Case(session_renamed, [("participant", "space"), ("animateur", "console")]),
    "session_delete": Case(session_deleted, [("participant", "space"), ("animateur", "console")]),
    "session_register": Case(register_http, [("participant", "space"), ("animateur", "space")]),
    "registration_cancel": Case(cancel_http, [("participant", "space")], prepare=second_registers),
    "attendance_record": Case(attendance_http, [("animateur", "console")]),
    "submission_hand_in": Case(hand_in_http, [("participant", "space"), ("animateur", "console")]),
    "submission_review": Case(
        review_http,
        [("participant", "space"), ("animateur", "console")],
        prepare=participant_hands_in,
    ),
    "submission_save": Case(
        legacy_submission_save, [("participant", "space"), ("animateur", "console")]
    ),
    "thread_create": Case(thread_new_http, [("participant", "space"), ("animateur", "space")]),
    "post_create": Case(reply, [("participant", "space")]),
    "thread_lock": Case(lock_http, [("participant", "space")]),
    "thread_pin": Case(pin_http, [("participant", "space")]),
    "user_update_profile": Case(profile_http, [("participant", "space"), ("animateur", "console")]),
    "user_delete": Case(account_deleted, [("participant", "space"), ("animateur", "console")]),
}


@pytest.mark.parametrize(
    "name, viewer, page",
    [(name, viewer, page) for name, case in CASES.items() for viewer, page in case.pages],
)
def test_a_write_shows_on_the_next_view(w, name, viewer, page):
    case = CASES[name]
    case.prepare(w)
    person = getattr(w, viewer)
    client = login(person)
    url = page_url(page, w.cohort)
    # The viewer's unread notifications are part of the key: with none before and after,
    # only the cohort's pages version can make the stored page stale.
    notifications_mark_all_read(user=person)
    before = stored(client, url)
    shown, gone = case.write(w)
    notifications_mark_all_read(user=person)
    response = client.get(url, **EN)
    assert response.status_code == 200
    after = response.content.decode()
    checked = 0
    for expected in shown:
        if on(page, before, expected) is None:
            continue
        assert not on(page, before, expected), f"{expected!r} was already shown"
        assert on(page, after, expected), f"{expected!r} is not shown after {name}"
        checked += 1
    for expected in gone:
        if on(page, before, expected) is None:
            continue
        assert on(page, before, expected), f"{expected!r} was not shown"
        assert not on(page, after, expected), f"{expected!r} is still shown after {name}"
        checked += 1
    assert checked


# --- the back-office --------------------------------------------------------------------


def test_a_thread_renamed_in_the_back_office(w):
    client = login(w.participant)
    url = page_url("space", w.cohort)
    assert "Ouverture du parcours" in stored(client, url)
    post = w.thread.posts.get()
    response = login(w.admin).post(
        reverse("admin:discussions_thread_change", args=[w.thread.pk]),
        {
            "title": "Bienvenue dans la promotion",
            "pinned": "on",
            "posts-TOTAL_FORMS": "1",
            "posts-INITIAL_FORMS": "1",
            "posts-MIN_NUM_FORMS": "0",
            "posts-MAX_NUM_FORMS": "1000",
            "posts-0-id": str(post.pk),
            "posts-0-thread": str(w.thread.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    after = client.get(url, **EN).content.decode()
    assert "Bienvenue dans la promotion" in after
    assert "Ouverture du parcours" not in after


def test_a_post_deleted_in_the_back_office(w):
    post = post_create(thread=w.thread, author=w.second, body="Doublon")
    client = login(w.participant)
    url = page_url("space", w.cohort)
    assert "2 messages" in stored(client, url)
    response = login(w.admin).post(
        reverse("admin:discussions_post_delete", args=[post.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert "1 message" in client.get(url, **EN).content.decode()


def test_threads_deleted_from_the_back_office_list(w):
    client = login(w.participant)
    url = page_url("space", w.cohort)
    assert "Ouverture du parcours" in stored(client, url)
    response = login(w.admin).post(
        reverse("admin:discussions_thread_changelist"),
        {"action": "delete_selected", "_selected_action": [w.thread.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert "Ouverture du parcours" not in client.get(url, **EN).content.decode()


def _user_change_data(user, **changes) -> dict:
    data = {
        "email": user.email,
        "display_name": user.display_name,
        "home_commune": "",
        "role": user.role,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "",
        "date_joined_1": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("viewer, page", [("participant", "space"), ("animateur", "console")])
def test_a_person_renamed_in_the_back_office(w, viewer, page):
    client = login(getattr(w, viewer))
    url = page_url(page, w.cohort)
    assert "Pauline Seconde" in stored(client, url)
    response = login(w.admin).post(
        reverse("admin:accounts_user_change", args=[w.second.pk]),
        _user_change_data(w.second, display_name="Pauline Changée"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    after = client.get(url, **EN).content.decode()
    assert "Pauline Changée" in after
    assert "Pauline Seconde" not in after


@pytest.mark.parametrize("how", ["delete_view", "delete_selected", "anonymise"])
def test_a_person_deleted_in_the_back_office(w, how):
    client = login(w.animateur)
    url = page_url("console", w.cohort)
    assert "Pauline Seconde" in stored(client, url)
    admin_client = login(w.admin)
    if how == "delete_view":
        response = admin_client.post(
            reverse("admin:accounts_user_delete", args=[w.second.pk]), {"post": "yes"}
        )
    else:
        response = admin_client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": how, "_selected_action": [w.second.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert "Pauline Seconde" not in client.get(url, **EN).content.decode()


# --- what does not make a page stale -----------------------------------------------------


def test_reading_a_thread_changes_only_the_readers_page(w):
    """The viewer's own read marker is part of the key (journeys.pagecache): the others'
    stored pages stay valid."""
    reader = login(w.participant)
    other = login(w.second)
    url = page_url("space", w.cohort)
    stored(reader, url)
    stored(other, url)
    reader.get(reverse("discussions:thread", args=[w.thread.pk]))
    with CaptureQueriesContext(connection) as captured:
        assert other.get(url, **EN).status_code == 200
    assert len(captured.captured_queries) <= HIT_QUERIES


def test_the_other_cohorts_pages_stay_stored(w, other_cohort, other_participant):
    client = login(other_participant)
    url = page_url("space", other_cohort)
    stored(client, url)
    session_update(session=w.upcoming, data={"title": "Séance renommée"})
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **EN).status_code == 200
    assert len(captured.captured_queries) <= HIT_QUERIES
