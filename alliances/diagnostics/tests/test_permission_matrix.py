"""The permission matrix of bilan · cible · trajectoire: every route of plan_views × every
persona, for a plan kept to its team, shared with the promotion, and public.

Personas: anonymous; outsider (signed in, no cohort); a participant of another cohort; a
participant of another territory of the same cohort (neighbour); the team (participant and
partner, the binôme); the cohort's animateur; a platform admin (not a member).
Rules: the team, the animateurs and admins see and edit; the promotion sees a plan shared
with it, everyone a public one; a plan one may not see answers 404, one seen but not
editable 403; writes send anonymous visitors to the sign-in page (302). Only the team$
(and platform admins, who may do everything) changes the sharing. Each request runs in
a transaction rolled back afterwards.

A row that fails because a view answers otherwise is a finding about the view, not a
reason to change the row.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.urls import reverse

from alliances.accounts.services import user_create
from alliances.diagnostics import services
from alliances.diagnostics.models import ActionStatus, BilanMoment, Horizon, PlanVisibility
from alliances.journeys.models import CohortRole
from alliances.journeys.services import cohort_member_add, pilot_territory_add
from alliances.journeys.tests.conftest import frozen, later  # noqa: F401 (fixtures)

from .test_services import codev_item

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

PERSONAS = (
    "anonymous",
    "outsider",
    "other",
    "neighbour",
    "participant",
    "partner",
    "animateur",
    "admin",
)
VISIBILITIES = (PlanVisibility.TEAM, PlanVisibility.COHORT, PlanVisibility.PUBLIC)


def _s(text: str) -> tuple[int, ...]:
    statuses = tuple(int(n) for n in text.split())
    assert len(statuses) == len(PERSONAS)
    return statuses


def same(text: str) -> dict[str, tuple[int, ...]]:
    return {v: _s(text) for v in VISIBILITIES}


SEE = {
    PlanVisibility.TEAM: _s("404 404 404 404 200 200 200 200"),
    PlanVisibility.COHORT: _s("404 404 404 200 200 200 200 200"),
    PlanVisibility.PUBLIC: _s("200 200 200 200 200 200 200 200"),
}


def edit(ok: int = 302) -> dict[str, tuple[int, ...]]:
    """The team, the animateur and admins act; who sees without editing gets 403."""
    return {
        PlanVisibility.TEAM: _s(f"302 404 404 404 {ok} {ok} {ok} {ok}"),
        PlanVisibility.COHORT: _s(f"302 404 404 403 {ok} {ok} {ok} {ok}"),
        PlanVisibility.PUBLIC: _s(f"302 403 403 403 {ok} {ok} {ok} {ok}"),
    }


SHARE = {
    PlanVisibility.TEAM: _s("302 404 404 404 302 302 403 302"),
    PlanVisibility.COHORT: _s("302 404 404 403 302 302 403 302"),
    PlanVisibility.PUBLIC: _s("302 403 403 403 302 302 403 302"),
}


@dataclass
class World:
    plan: object
    bilan: object
    entry: object
    action: object
    milestone: object
    item: object
    cohort: object
    code: str


@dataclass
class Row:
    name: str
    method: str
    url: Callable[[World], str]
    expected: dict[str, tuple[int, ...]]
    data: Callable[[World], dict] | None = None


def _u(name: str, attr: str | None = None, *extra: str) -> Callable[[World], str]:
    def url(world: World) -> str:
        args = [getattr(world, attr).pk] if attr else []
        args += [getattr(world, e).pk for e in extra]
        return reverse(name, args=args)

    return url


def _action(w: World) -> dict:
    return {
        "action-title": "Réunir",
        "action-start": "2027-06-03",
        "action-due": "2027-07-03",
        "action-status": ActionStatus.TODO,
        "action-revision": "0",
    }


ROWS = [
    Row("my plans", "get", _u("diagnostics:my_plans"), same("302 200 200 200 200 200 200 200")),
    Row(
        "personal plan",
        "post",
        _u("diagnostics:personal_create"),
        same("302 302 302 302 302 302 302 302"),
    ),
    Row(
        "organisation search",
        "get",
        _u("diagnostics:organisation_search"),
        same("302 200 200 200 200 200 200 200"),
    ),
    # The viewer's own team plan: the team is sent to it; a neighbour may start theirs.
    Row(
        "team plan",
        "get",
        lambda w: reverse("diagnostics:team_plan", args=[w.cohort.slug]),
        same("302 404 404 200 302 302 404 404"),
    ),
    Row(
        "join my codev action",
        "post",
        _u("diagnostics:codev_join_mine", "item"),
        same("302 404 404 404 302 404 404 404"),
    ),
    Row("plan", "get", _u("diagnostics:plan", "plan"), SEE),
    Row(
        "sharing",
        "post",
        _u("diagnostics:plan_share", "plan"),
        SHARE,
        data=lambda w: {"visibility": w.plan.visibility},
    ),
    Row(
        "new bilan",
        "post",
        _u("diagnostics:bilan_new", "plan"),
        edit(),
        data=lambda w: {"moment": BilanMoment.END, "date": "2027-09-30"},
    ),
    Row("cible", "get", _u("diagnostics:cible", "plan"), SEE),
    Row(
        "set the cible",
        "post",
        _u("diagnostics:cible", "plan"),
        edit(),
        data=lambda w: {"horizon": Horizon.M36, w.code: "3"},
    ),
    Row("trajectoire", "get", _u("diagnostics:trajectoire", "plan"), SEE),
    Row("add an action", "post", _u("diagnostics:trajectoire", "plan"), edit(), data=_action),
    Row(
        "add a milestone",
        "post",
        _u("diagnostics:milestone_new", "plan"),
        edit(),
        data=lambda w: {"milestone-title": "Copil", "milestone-date": "2027-07-01"},
    ),
    Row(
        "join a codev action",
        "post",
        _u("diagnostics:codev_join", "plan", "item"),
        edit(),
    ),
    Row("bilan", "get", _u("diagnostics:bilan", "bilan"), SEE),
    Row(
        "save a criterion",
        "post",
        lambda w: reverse("diagnostics:entry_save", args=[w.bilan.pk, w.entry.criterion_id]),
        edit(),
        data=lambda w: {"level": "2", "evidence": "", "revision": "0"},
    ),
    Row("validate the bilan", "post", _u("diagnostics:bilan_validate", "bilan"), edit()),
    Row("bilan history", "get", _u("diagnostics:bilan_history", "bilan"), SEE),
    Row("edit an action (form)", "get", _u("diagnostics:action_edit", "action"), edit(200)),
    Row("edit an action", "post", _u("diagnostics:action_edit", "action"), edit(), data=_action),
    Row("delete an action", "post", _u("diagnostics:action_delete", "action"), edit()),
    Row(
        "edit a milestone",
        "post",
        _u("diagnostics:milestone_edit", "milestone"),
        edit(),
        data=lambda w: {
            f"milestone-{w.milestone.pk}-title": "Copil",
            f"milestone-{w.milestone.pk}-date": "2027-07-01",
        },
    ),
]


@pytest.fixture
def neighbour(db, password, cohort):
    user = user_create(email="voisin@example.org", password=password, display_name="Vera Voisine")
    territory = pilot_territory_add(cohort=cohort, name="Ardèche")
    cohort_member_add(
        cohort=cohort, user=user, role=CohortRole.PARTICIPANT, pilot_territory=territory
    )
    return user


def _world(plan, *, cohort, participant, animateur, visibility) -> World:
    services.plan_visibility_set(plan=plan, visibility=visibility)
    bilan = services.bilan_create(
        plan=plan, moment=BilanMoment.T0, date=datetime.date(2027, 2, 1), user=participant
    )
    entry = bilan.entries.order_by("pk").first()
    return World(
        plan=plan,
        bilan=bilan,
        entry=entry,
        action=services.action_create(
            plan=plan,
            data=services.ActionInput(
                title="Cartographier",
                start=datetime.date(2027, 2, 1),
                due=datetime.date(2027, 4, 1),
            ),
        ),
        milestone=services.milestone_create(
            plan=plan, title="Copil", date=datetime.date(2027, 3, 1)
        ),
        item=codev_item(cohort, client=participant, animateur=animateur),
        cohort=cohort,
        code=entry.criterion.code,
    )


def _call(client, row: Row, world: World) -> tuple[int, str]:
    with transaction.atomic():
        url = row.url(world)
        data = row.data(world) if row.data else {}
        response = getattr(client, row.method)(url, data)
        transaction.set_rollback(True)
    return response.status_code, response.get("Location", "")


@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_permission_matrix(
    client,
    visibility,
    plan,
    cohort,
    neighbour,
    outsider,
    other_participant,
    participant,
    partner,
    animateur,
    admin,
):
    world = _world(
        plan, cohort=cohort, participant=participant, animateur=animateur, visibility=visibility
    )
    users = {
        "anonymous": None,
        "outsider": outsider,
        "other": other_participant,
        "neighbour": neighbour,
        "participant": participant,
        "partner": partner,
        "animateur": animateur,
        "admin": admin,
    }
    wrong = []
    for row in ROWS:
        for persona, expected in zip(PERSONAS, row.expected[visibility], strict=True):
            client.logout()
            if users[persona] is not None:
                client.force_login(users[persona])
            status, location = _call(client, row, world)
            if status != expected:
                wrong.append(f"{row.name} / {persona}: {status} (expected {expected})")
            elif persona == "anonymous" and status == 302:
                assert location.startswith(reverse("account_login")), (row.name, location)
    assert not wrong, f"({visibility}):\n" + "\n".join(wrong)


def test_every_plan_view_is_in_the_matrix():
    """A route added to plan_views without a row here fails this test."""
    from pathlib import Path

    from alliances.diagnostics import plan_views

    source = Path(__file__).read_text()
    missing = [
        pattern.name
        for pattern in plan_views.urlpatterns
        if f'"diagnostics:{pattern.name}"' not in source
    ]
    assert missing == []
