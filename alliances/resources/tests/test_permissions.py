"""The permission matrix of the contribution pages, through HTTP: personas × the state of
the resource × every contribution route.

Personas: anonymous; outsider (signed in, not the contributor); the contributor; a
reviewer (an animateur, not the contributor); a platform admin. It runs twice: once with
a participant as the contributor, once with an animateur (who may not review their own
resource, and so has the same rights on it as a participant).

Cells: L — sent to the sign-in page; K — done (redirect after the change); a status code
otherwise: 404 when the viewer may not see the resource, 403 when they see it but may not
act, 409 when they may act but not from this state (a double click, a stale page; nothing
changes), 200 for a page shown. Each request runs in a transaction rolled back after it.

A cell that fails because a view answers otherwise is a finding about the view, not a
reason to change the cell.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from alliances.accounts.models import User
from alliances.accounts.services import user_create
from alliances.resources import services as s
from alliances.resources.models import Resource, ResourceStatus
from alliances.resources.testing import make_resource

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "outsider", "contributor", "reviewer", "admin")
STATES = ("brouillon", "soumise", "en_relecture", "publiee", "refusee")


def row(**cells: str) -> dict[str, tuple[str, ...]]:
    out = {}
    for state in STATES:
        values = tuple(cells[state].split())
        assert len(values) == len(PERSONAS), state
        out[state] = values
    return out


SEE = row(
    brouillon="L 404 200 200 200",
    soumise="L 404 200 200 200",
    en_relecture="L 404 200 200 200",
    publiee="L 403 200 200 200",
    refusee="L 404 200 200 200",
)


def decide(ok: str = "K") -> dict[str, tuple[str, ...]]:
    """Request changes, publish, refuse: reviewers, from submitted or under review."""
    return row(
        brouillon="L 404 403 409 409",
        soumise=f"L 404 403 {ok} {ok}",
        en_relecture=f"L 404 403 {ok} {ok}",
        publiee="L 403 403 409 409",
        refusee="L 404 403 409 409",
    )


@dataclass
class Row:
    name: str
    method: str
    route: str
    expected: dict[str, tuple[str, ...]]
    data: dict | None = None
    # What the action changes, read before and after: it must change on K only.
    effect: Callable[[Resource | None], Any] | None = None


def STATUS(resource: Resource | None) -> str | None:  # noqa: N802
    return resource.status if resource else None


ROWS = [
    Row("review page", "get", "resources:review", SEE),
    Row("versions", "get", "resources:versions", SEE),
    Row("a version's diff", "get", "resources:version", SEE),
    Row("edit (form)", "get", "resources:edit", row(
        brouillon="L 404 200 403 200",
        soumise="L 404 403 200 200",
        en_relecture="L 404 403 200 200",
        publiee="L 403 403 200 200",
        refusee="L 404 403 403 200",
    )),
    Row("edit", "post", "resources:edit", row(
        brouillon="L 404 K 403 K",
        soumise="L 404 403 K K",
        en_relecture="L 404 403 K K",
        publiee="L 403 403 K K",
        refusee="L 404 403 403 K",
    ), data={"kind": "outil", "title": "Titre changé", "licence": "CC-BY-SA-4.0",
             "links-TOTAL_FORMS": "0", "links-INITIAL_FORMS": "0"},
       effect=lambda r: r.title),
    Row("submit", "post", "resources:submit", row(
        brouillon="L 404 K 403 K",
        soumise="L 404 409 403 409",
        en_relecture="L 404 409 403 409",
        publiee="L 403 409 403 409",
        refusee="L 404 409 403 409",
    ), effect=STATUS),
    Row("start the review", "post", "resources:review_start", row(
        brouillon="L 404 403 409 409",
        soumise="L 404 403 K K",
        en_relecture="L 404 403 409 409",
        publiee="L 403 403 409 409",
        refusee="L 404 403 409 409",
    ), effect=STATUS),
    Row("comment", "post", "resources:comment", row(
        brouillon="L 404 409 409 409",
        soumise="L 404 K K K",
        en_relecture="L 404 K K K",
        publiee="L 403 409 409 409",
        refusee="L 404 409 409 409",
    ), data={"body": "Une remarque."}, effect=lambda r: r.events.filter(kind="comment").count()),
    Row("ask for changes", "post", "resources:request_changes", decide(),
        data={"body": "Ajoutez un exemple."}, effect=STATUS),
    Row("publish", "post", "resources:publish", decide(),
        effect=STATUS),
    Row("refuse", "post", "resources:refuse", decide(), data={"body": "Hors sujet."},
        effect=STATUS),
    Row("unpublish", "post", "resources:unpublish", row(
        brouillon="L 404 403 409 409",
        soumise="L 404 403 409 409",
        en_relecture="L 404 403 409 409",
        publiee="L 403 403 K K",
        refusee="L 404 403 409 409",
    ), data={"body": "Lien mort."}, effect=STATUS),
    Row("delete", "post", "resources:delete", row(
        brouillon="L 404 K 403 K",
        soumise="L 404 403 403 K",
        en_relecture="L 404 403 403 K",
        publiee="L 403 403 403 K",
        refusee="L 404 403 403 K",
    ), effect=lambda r: r is None),
]


def in_state(state: str, *, by: User, reviewer: User) -> Resource:
    resource = make_resource(by=by, title=f"Ressource {state}", status=ResourceStatus.DRAFT)
    if state == "brouillon":
        return resource
    s.resource_submit(resource=resource, by=by)
    if state != "soumise":
        s.resource_review_start(resource=resource, by=reviewer)
    if state == "publiee":
        s.resource_publish(resource=resource, by=reviewer)
    elif state == "refusee":
        s.resource_refuse(resource=resource, by=reviewer, reason="Hors sujet.")
    resource.refresh_from_db()
    return resource


def call(client, r: Row, resource: Resource) -> str:
    args = [resource.pk, 1] if r.route == "resources:version" else [resource.pk]

    def effect() -> Any:
        return r.effect(Resource.objects.filter(pk=resource.pk).first()) if r.effect else None

    with transaction.atomic():
        before = effect()
        response = getattr(client, r.method)(reverse(r.route, args=args), r.data or {})
        changed = effect() != before
        if response.status_code == 302 and response["Location"].startswith(
            reverse("account_login")
        ):
            cell = "L"
        elif response.status_code == 302:
            cell = "K"
        else:
            cell = str(response.status_code)
        transaction.set_rollback(True)
    if r.effect is not None and changed != (cell == "K"):
        cell += " (changed)" if changed else " (nothing changed)"
    return cell


@pytest.fixture
def animateur_contributor(db, password) -> User:
    return user_create(email="anim2@example.org", password=password,
                       role=User.Role.ANIMATEUR, display_name="Bruno Animateur")


@pytest.mark.parametrize("owner", ["participant", "animateur_contributor"])
def test_permission_matrix(client, request, owner, outsider, animateur, admin):
    contributor = request.getfixturevalue(owner)
    users = {"anonymous": None, "outsider": outsider, "contributor": contributor,
             "reviewer": animateur, "admin": admin}
    resources = {state: in_state(state, by=contributor, reviewer=animateur) for state in STATES}
    wrong = []
    for r in ROWS:
        for state in STATES:
            for persona, expected in zip(PERSONAS, r.expected[state], strict=True):
                client.logout()
                if users[persona] is not None:
                    client.force_login(users[persona])
                got = call(client, r, resources[state])
                if got != expected:
                    wrong.append(f"{r.name} / {state} / {persona}: {got} (expected {expected})")
    assert not wrong, f"({owner} contributes):\n" + "\n".join(wrong)


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "participant"])
def test_the_review_queue_is_for_reviewers(client, request, persona, animateur, admin):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("resources:review_queue"))
    assert response.status_code == (302 if persona == "anonymous" else 403)
    for reviewer in (animateur, admin):
        client.force_login(reviewer)
        assert client.get(reverse("resources:review_queue")).status_code == 200


@pytest.mark.parametrize("name", ["resources:propose", "resources:my_contributions"])
def test_proposing_needs_an_account(client, participant, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    client.force_login(participant)
    assert client.get(reverse(name)).status_code == 200


def test_every_contribution_route_is_in_the_matrix():
    """A route added to contribution_urls without a row or a test here fails this test."""
    from pathlib import Path

    from alliances.resources import contribution_urls

    source = Path(__file__).read_text()
    others = {"propose", "my_contributions", "review_queue", "preview", "organisation_search"}
    missing = [p.name for p in contribution_urls.urlpatterns
               if f'"resources:{p.name}"' not in source and p.name not in others]
    assert missing == []


def test_the_preview_and_the_organisation_search_need_an_account(client, participant):
    for method, name in [("post", "resources:preview"), ("get", "resources:organisation_search")]:
        response = getattr(client, method)(reverse(name), {"body": "x", "q": "mairie"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    client.force_login(participant)
    assert client.post(reverse("resources:preview"), {"body": "x"}).status_code == 200
    assert client.get(reverse("resources:preview")).status_code == 405
    assert client.get(reverse("resources:organisation_search"), {"q": "ma"}).status_code == 200
