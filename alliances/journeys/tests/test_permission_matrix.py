"""The permission matrix of the parcours: every view and action × every persona, for a
private and a public cohort, with the exact status each one answers.

Personas: anonymous, outsider (signed in, no cohort), a participant of another cohort, and
the cohort's participant, intervenant, animateur, plus a platform admin (not a member).
Rules: members see, animateurs (and admins) manage; a private cohort answers 404 to those
outside it, a public one 403 to those who see it but may not act; views that need an
account send anonymous visitors to the sign-in page (302). Each request runs in a
transaction rolled back afterwards: every persona meets the same data.

A row that fails because a view answers otherwise is a finding about the view, not a
reason to change the row.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from alliances.journeys.models import CohortRole, CohortVisibility
from alliances.journeys.services import (
    calendar_token_get_or_create,
    cohort_invite,
    cohort_member_add,
    pilot_territory_add,
    session_material_add,
    session_register,
)
from alliances.journeys.submissions import submission_hand_in

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "outsider", "other", "participant", "intervenant", "animateur", "admin")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    """What one cohort offers to act on."""

    cohort: object
    past: object  # a session held
    future: object  # a session to come, the participant registered
    assignment: object
    submission: object
    file: object
    material: object
    territory: object
    invitation: object
    calendar_token: object
    codev_session: object = None
    round: object = None
    thread: object = None
    territory_thread: object = None
    post: object = None
    attachment: object = None
    action_item: object = None
    notification: object = None


def _world(cohort, *, animateur, participant, territory) -> World:
    from django.utils import timezone

    now = timezone.now()
    sessions = list(cohort.sessions.order_by("start", "pk"))
    past = next(s for s in sessions if s.end <= now)
    future = next(s for s in sessions if s.start > now)
    session_register(session=future, user=participant)
    assignment = cohort.assignments.filter(due__lte=now.date()).order_by("due", "pk").first()
    submission = submission_hand_in(
        assignment=assignment,
        user=participant,
        text="Notre bilan",
        files=[SimpleUploadedFile("rendu.pdf", PDF, content_type="application/pdf")],
    )
    [invitation] = cohort_invite(
        cohort=cohort,
        emails="nouvelle@example.org",
        role=CohortRole.PARTICIPANT,
        invited_by=animateur,
    )
    return World(
        cohort=cohort,
        past=past,
        future=future,
        assignment=assignment,
        submission=submission,
        file=submission.files.first(),
        material=session_material_add(
            session=past, title="Diapos", url="https://example.org/diapos", added_by=animateur
        ),
        territory=territory,
        invitation=invitation,
        calendar_token=calendar_token_get_or_create(user=participant, cohort=cohort),
        **_other_apps(cohort, animateur=animateur, participant=participant, territory=territory),
    )


def _other_apps(cohort, *, animateur, participant, territory) -> dict:
    """A co-development round and discussion threads of the cohort, through their services."""
    from alliances.codev import services as codev
    from alliances.codev.services import round_create
    from alliances.discussions.services import thread_create
    from alliances.notifications.models import Notification

    codev_session = cohort.sessions.filter(kind_id="codeveloppement").order_by("start").first()
    thread = thread_create(
        cohort=cohort,
        author=participant,
        title="Une question",
        body="Qui a un contact ?",
        attachments=[SimpleUploadedFile("note.pdf", PDF, content_type="application/pdf")],
    )
    post = thread.posts.order_by("pk").first()
    # A second round taken to its action plan: the client's action, to tick.
    planned = codev.round_start(
        round=round_create(session=codev_session, client=participant, facilitator=animateur)
    )
    for _step in range(5):
        planned = codev.round_next_step(round=planned)
    [action_item] = codev.action_plan_save(
        round=planned,
        items=[codev.ActionInput("Réunir les entreprises", codev.session_day(codev_session))],
    )
    return {
        "action_item": action_item,
        # The thread told the cohort's animateur: a notification of theirs.
        "notification": Notification.objects.filter(recipient=animateur).latest("pk"),
        "codev_session": codev_session,
        "round": round_create(
            session=codev_session,
            client=participant,
            facilitator=animateur,
            problem="Mobiliser les entreprises",
        ),
        "thread": thread,
        "territory_thread": thread_create(
            cohort=cohort,
            author=participant,
            title="Notre équipe",
            body="Point d'étape",
            pilot_territory=territory,
        ),
        "post": post,
        "attachment": post.attachments.first(),
    }


@pytest.fixture
def worlds(
    settings,
    tmp_path,
    frozen,
    cohort,
    public_cohort,
    other_cohort,
    participant,
    intervenant,
    animateur,
):
    settings.MEDIA_ROOT = tmp_path
    territory = cohort.pilot_territories.first()
    public_territory = pilot_territory_add(cohort=public_cohort, name="Haute-Loire")
    cohort_member_add(
        cohort=public_cohort,
        user=participant,
        role=CohortRole.PARTICIPANT,
        pilot_territory=public_territory,
    )
    cohort_member_add(cohort=public_cohort, user=intervenant, role=CohortRole.INTERVENANT)
    assert public_cohort.visibility == CohortVisibility.PUBLIC
    return {
        "private": _world(
            cohort, animateur=animateur, participant=participant, territory=territory
        ),
        "public": _world(
            public_cohort, animateur=animateur, participant=participant, territory=public_territory
        ),
    }


# Expected statuses, one per persona in PERSONAS order.
def _s(text: str) -> tuple[int, ...]:
    statuses = tuple(int(n) for n in text.split())
    assert len(statuses) == len(PERSONAS)
    return statuses


ALL_200 = _s("200 200 200 200 200 200 200")
# Seen by members (and admins); a public cohort by everyone.
SEE = {"private": _s("404 404 404 200 200 200 200"), "public": ALL_200}
# The same behind sign-in.
SEE_SIGNED_IN = {
    "private": _s("302 404 404 200 200 200 200"),
    "public": _s("302 200 200 200 200 200 200"),
}
# Members only, even in a public cohort (individual work).
MEMBERS = {
    "private": _s("302 404 404 200 200 200 200"),
    "public": _s("302 404 404 200 200 200 200"),
}


def manage(ok: int = 200) -> dict[str, tuple[int, ...]]:
    """The cohort's animateur and admins act; the others are refused (404 outside private)."""
    return {
        "private": _s(f"302 404 404 403 403 {ok} {ok}"),
        "public": _s(f"302 403 403 403 403 {ok} {ok}"),
    }


def same(text: str) -> dict[str, tuple[int, ...]]:
    return {"private": _s(text), "public": _s(text)}


@dataclass
class Row:
    name: str
    method: str
    url: Callable[[World], str]
    expected: dict[str, tuple[int, ...]]
    data: Callable[[World], dict] | None = None


def _u(name: str, attr: str | None = None, *extra) -> Callable[[World], str]:
    """reverse(name) with the cohort's slug or an object's pk."""

    def build(world: World) -> str:
        if attr is None:
            return reverse(name, args=extra)
        if attr == "slug":
            return reverse(name, args=[world.cohort.slug, *extra])
        return reverse(name, args=[getattr(world, attr).pk, *extra])

    return build


ROWS = [
    # -- seeing ------------------------------------------------------------------------------
    Row("index", "get", _u("journeys:index"), same("200 200 200 200 200 200 200")),
    Row(
        "programme",
        "get",
        lambda w: reverse("journeys:programme", args=[w.cohort.programme.slug]),
        same("200 200 200 200 200 200 200"),
    ),
    Row("cohort space", "get", _u("journeys:cohort", "slug"), SEE),
    # The cohort's public .ics: public cohorts only, for everyone; private ones have feeds.
    Row(
        "cohort calendar",
        "get",
        _u("journeys:cohort_calendar", "slug"),
        {"private": _s("404 404 404 404 404 404 404"), "public": ALL_200},
    ),
    Row("session page", "get", _u("journeys:session", "past"), SEE),
    Row(
        "material (link)",
        "get",
        _u("journeys:material", "material"),
        {"private": _s("404 404 404 302 302 302 302"), "public": _s("302 302 302 302 302 302 302")},
    ),
    Row(
        "pilot territory",
        "get",
        lambda w: reverse("journeys:pilot_territory", args=[w.cohort.slug, w.territory.pk]),
        SEE,
    ),
    Row("cohort report", "get", _u("journeys:cohort_report", "slug"), SEE),
    Row("cohort report xlsx", "get", _u("journeys:cohort_report_xlsx", "slug"), SEE),
    Row("API cohorts", "get", lambda w: "/api/v1/cohorts", same("200 200 200 200 200 200 200")),
    Row("API sessions", "get", lambda w: f"/api/v1/cohorts/{w.cohort.pk}/sessions", SEE),
    # -- registering, feedback ----------------------------------------------------------------
    # Members who take part register (participant, intervenant, animateur). An admin (a
    # superuser: has_perm says yes) who is not a member is refused by the service: back to
    # the cohort with a message, nothing saved.
    Row(
        "register",
        "post",
        _u("journeys:session_register", "future"),
        {"private": _s("302 404 404 302 302 302 302"), "public": _s("302 403 403 302 302 302 302")},
    ),
    # Cancelling one's registration: nothing to cancel is no harm, for those who see it.
    Row(
        "unregister",
        "post",
        _u("journeys:session_unregister", "future"),
        {"private": _s("302 404 404 302 302 302 302"), "public": _s("302 302 302 302 302 302 302")},
    ),
    Row("feedback form", "get", _u("journeys:session_feedback", "past"), SEE_SIGNED_IN),
    Row(
        "give feedback",
        "post",
        _u("journeys:session_feedback", "past"),
        {"private": _s("302 404 404 302 302 302 403"), "public": _s("302 403 403 302 302 302 403")},
        data=lambda w: {"rating": "4", "comment": "Utile"},
    ),
    # -- calendars -------------------------------------------------------------------------
    Row("my calendars", "get", _u("journeys:calendars"), same("302 200 200 200 200 200 200")),
    Row(
        "rotate cohort feed",
        "post",
        _u("journeys:calendars"),
        {"private": _s("302 404 404 302 302 302 302"), "public": _s("302 404 404 302 302 302 302")},
        data=lambda w: {"cohort": str(w.cohort.pk)},
    ),
    # The feed's token is its credential: whoever holds the address reads it.
    Row(
        "private feed",
        "get",
        lambda w: reverse("journeys:calendar_feed", args=[w.calendar_token.token]),
        same("200 200 200 200 200 200 200"),
    ),
    # -- individual work ---------------------------------------------------------------------
    Row("assignment", "get", _u("journeys:assignment", "assignment"), MEMBERS),
    Row(
        "hand in",
        "post",
        _u("journeys:assignment", "assignment"),
        same("302 404 404 302 403 403 403"),
        data=lambda w: {"text": "Version 2"},
    ),
    Row(
        "handed-in file",
        "get",
        _u("journeys:submission_file", "file"),
        same("302 404 404 200 404 200 200"),
    ),
    Row(
        "remove handed-in file",
        "post",
        _u("journeys:submission_file_remove", "file"),
        same("302 404 404 302 404 404 404"),
    ),
    Row(
        "review list",
        "get",
        _u("journeys:assignment_review", "assignment"),
        same("302 404 404 403 403 200 200"),
    ),
    Row(
        "review",
        "post",
        _u("journeys:submission_review", "submission"),
        same("302 404 404 403 403 302 302"),
        data=lambda w: {
            f"s{w.submission.pk}-feedback": "Bien vu",
            f"s{w.submission.pk}-status": "valide",
        },
    ),
    # -- animating -------------------------------------------------------------------------
    Row("console", "get", _u("journeys:console", "slug"), manage()),
    Row(
        "export members csv",
        "get",
        _u("journeys:console_export", "slug", "membres", "csv"),
        manage(),
    ),
    Row(
        "export attendance xlsx",
        "get",
        _u("journeys:console_export", "slug", "presences", "xlsx"),
        manage(),
    ),
    Row("attendance sheet", "get", _u("journeys:attendance", "past"), manage()),
    Row(
        "take attendance",
        "post",
        _u("journeys:attendance", "past"),
        manage(302),
        data=lambda w: {"present": []},
    ),
    Row("invite form", "get", _u("journeys:invite", "slug"), manage()),
    # An invitation link is its own credential: it shows to whoever holds it.
    Row(
        "invitation",
        "get",
        lambda w: reverse("journeys:invitation", args=[w.invitation.token]),
        same("200 200 200 200 200 200 200"),
    ),
    Row("new cohort", "get", _u("journeys:cohort_create"), same("302 403 403 403 403 200 200")),
    Row("cohort settings", "get", _u("journeys:cohort_settings", "slug"), manage()),
    Row("teams", "get", _u("journeys:cohort_teams", "slug"), manage()),
    Row("new session", "get", _u("journeys:session_create", "slug"), manage()),
    Row("edit session (dates)", "get", _u("journeys:session_update", "future"), manage()),
    Row("delete session", "post", _u("journeys:session_delete", "future"), manage(302)),
    Row(
        "add material",
        "post",
        _u("journeys:material_add", "past"),
        manage(302),
        data=lambda w: {"material-title": "Lecture", "material-url": "https://example.org/l"},
    ),
    Row("remove material", "post", _u("journeys:material_remove", "material"), manage(302)),
]


# Other apps of the parcours. Co-development rounds and discussions are the cohort's
# members' only, whatever the cohort's visibility (their briefs): outsiders get 404 even in a
# public cohort; a territory's threads are its team's and the moderators' (animateurs,
# admins).
MEMBERS_ONLY = same("302 404 404 200 200 200 200")
TEAM_ONLY = same("302 404 404 200 404 200 200")
MODERATE = same("302 404 404 403 403 302 302")
ROWS += [
    # -- co-development (alliances/codev) ---------------------------------------------------
    Row(
        "codev: new round",
        "get",
        _u("codev:round_create", "codev_session"),
        same("302 404 404 403 403 200 200"),
    ),
    Row("codev: round", "get", _u("codev:round", "round"), MEMBERS_ONLY),
    Row("codev: round live", "get", _u("codev:round_live", "round"), MEMBERS_ONLY),
    # Running the facilitator: the animateur (here also the round's facilitator) and admins.
    Row(
        "codev: run the facilitator", "post", _u("codev:round_control", "round", "start"), MODERATE
    ),
    Row(
        "codev: note",
        "post",
        _u("codev:note_add", "round"),
        same("302 404 404 302 302 302 302"),
        data=lambda w: {"text": "Une piste"},
    ),
    # Learnings are written once the round is over: before, the form comes back (200) with
    # its message for those who may write them.
    # The action plan is the client's (the participant) and the facilitator's.
    Row(
        "codev: action plan",
        "post",
        _u("codev:action_plan", "round"),
        same("302 404 404 200 403 200 200"),
    ),
    Row(
        "codev: learning",
        "post",
        _u("codev:learning", "round"),
        same("302 404 404 200 200 200 200"),
        data=lambda w: {"text": "Appris"},
    ),
    Row(
        "codev: time boxes",
        "post",
        _u("codev:timeboxes", "round"),
        same("302 404 404 403 403 200 200"),
    ),
    # An action of a plan is ticked by its client only; the others do not find it.
    Row(
        "codev: tick an action",
        "post",
        _u("codev:action_done", "action_item"),
        same("302 404 404 302 404 404 404"),
        data=lambda w: {"done": "1"},
    ),
    Row("codev: my action plans", "get", _u("codev:my_plans"), same("302 200 200 200 200 200 200")),
    # -- discussions (alliances/discussions) ------------------------------------------------
    Row("threads", "get", _u("discussions:cohort", "slug"), MEMBERS_ONLY),
    Row(
        "post a thread",
        "post",
        _u("discussions:cohort", "slug"),
        same("302 404 404 302 302 302 302"),
        data=lambda w: {"title": "Nouveau fil", "body": "Bonjour à tous"},
    ),
    Row(
        "territory threads",
        "get",
        lambda w: reverse("discussions:territory", args=[w.cohort.slug, w.territory.pk]),
        TEAM_ONLY,
    ),
    Row("thread", "get", _u("discussions:thread", "thread"), MEMBERS_ONLY),
    Row("territory thread", "get", _u("discussions:thread", "territory_thread"), TEAM_ONLY),
    Row(
        "reply",
        "post",
        _u("discussions:thread", "thread"),
        same("302 404 404 302 302 302 302"),
        data=lambda w: {"body": "Moi !"},
    ),
    Row("follow", "post", _u("discussions:follow", "thread"), same("302 404 404 302 302 302 302")),
    Row("lock (moderate)", "post", _u("discussions:lock", "thread"), MODERATE),
    Row("pin (moderate)", "post", _u("discussions:pin", "thread"), MODERATE),
    # One's own post: its author edits it (for a while).
    Row(
        "edit my post",
        "get",
        _u("discussions:post_edit", "post"),
        same("302 404 404 200 403 403 403"),
    ),
    Row(
        "hide a post (moderate)",
        "get",
        _u("discussions:post_hide", "post"),
        same("302 404 404 403 403 200 200"),
    ),
    Row("unhide a post (moderate)", "post", _u("discussions:post_unhide", "post"), MODERATE),
    Row("attachment", "get", _u("discussions:attachment", "attachment"), MEMBERS_ONLY),
    # -- notifications (alliances/notifications) --------------------------------------------
    Row("notifications", "get", _u("notifications:index"), same("302 200 200 200 200 200 200")),
    Row(
        "notification preferences",
        "get",
        _u("notifications:preferences"),
        same("302 200 200 200 200 200 200"),
    ),
    # A notification is its recipient's (here the animateur's): opening it leads to its page.
    Row(
        "open a notification",
        "get",
        _u("notifications:open", "notification"),
        same("302 404 404 404 404 302 404"),
    ),
    Row(
        "mark all read",
        "post",
        _u("notifications:mark_all_read"),
        same("302 302 302 302 302 302 302"),
    ),
]


def _call(client, row: Row, world: World) -> tuple[int, str]:
    url = row.url(world)
    data = row.data(world) if row.data else {}
    with transaction.atomic():
        response = getattr(client, row.method)(url, data)
        transaction.set_rollback(True)
    return response.status_code, response.get("Location", "")


@pytest.mark.parametrize("visibility", ["private", "public"])
@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_permission_matrix(
    client,
    worlds,
    row,
    visibility,
    outsider,
    other_participant,
    participant,
    intervenant,
    animateur,
    admin,
):
    world = worlds[visibility]
    users = {
        "anonymous": None,
        "outsider": outsider,
        "other": other_participant,
        "participant": participant,
        "intervenant": intervenant,
        "animateur": animateur,
        "admin": admin,
    }
    wrong = []
    for persona, expected in zip(PERSONAS, row.expected[visibility], strict=True):
        client.logout()
        if users[persona] is not None:
            client.force_login(users[persona])
        status, location = _call(client, row, world)
        if status != expected:
            wrong.append(f"{persona}: {status} (expected {expected})")
        elif (
            persona == "anonymous"
            and status == 302
            and row.name
            not in {
                "material (link)",
                "unregister",
            }
        ):
            assert location.startswith(reverse("account_login")), (row.name, location)
    assert not wrong, f"{row.name} ({visibility}): " + "; ".join(wrong)


def test_every_parcours_view_is_in_the_matrix():
    """A view added to the parcours' URLs without a row here fails this test."""
    import importlib
    import re
    from pathlib import Path

    source = Path(__file__).read_text()
    named = set(re.findall(r'"((?:journeys|codev|discussions|notifications):[a-z_]+)"', source))
    missing = [
        f"{app}:{pattern.name}"
        for app in ("journeys", "codev", "discussions", "notifications")
        for pattern in importlib.import_module(f"alliances.{app}.urls").urlpatterns
        if f"{app}:{pattern.name}" not in named
    ]
    assert missing == [], "views missing from the matrix"
