"""Who may do what, through HTTP: personas × every route.

Need routes — personas: anonymous; outsider (signed in, no organisation); other (the
animateur, member of another organisation, the foundation of Créteil); member (the
participant, member of the need's organisation); admin (platform admin, no organisation).
Contact routes — anonymous; outsider; other (member of a third organisation); sender
(member of the organisation that wrote); recipient (member of the one written to); admin.
Cells: L — sent to the sign-in page; otherwise the status code. A refused change leaves
everything as it was.
"""

import pytest
from django.urls import reverse

from alliances.actors.models import Membership
from alliances.actors.services import membership_add
from alliances.needs.models import ContactRequest, ContactStatus, Need
from alliances.needs.services import contact_request_send

pytestmark = pytest.mark.django_db

NEED_PERSONAS = ("anonymous", "outsider", "other", "member", "admin")
CONTACT_PERSONAS = ("anonymous", "outsider", "other", "sender", "recipient", "admin")


@pytest.fixture
def people(admin, participant, animateur, outsider):
    return {"anonymous": None, "outsider": outsider, "other": animateur,
            "member": participant, "admin": admin}


def call(client, user, method, url, data=None):
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(url, data or {})
    if response.status_code == 302 and "/compte/login/" in response["Location"]:
        return "L"
    return str(response.status_code)


def need_routes(land, need, hidden_need):
    edit = {"title": "Changé", "kind": "lieu", "status": "ouvert"}
    return [
        ("list", "get", reverse("needs:index"), None, "200 200 200 200 200"),
        ("create page", "get", reverse("needs:create"), None, "L 403 200 200 200"),
        ("public need", "get", need.get_absolute_url(), None, "200 200 200 200 200"),
        ("hidden need", "get", hidden_need.get_absolute_url(), None, "404 404 404 200 200"),
        ("edit page", "get", reverse("needs:edit", args=[need.pk]), None, "L 403 403 200 200"),
        ("edit hidden", "get", reverse("needs:edit", args=[hidden_need.pk]), None,
         "L 404 404 200 200"),
        ("edit post", "post", reverse("needs:edit", args=[need.pk]), edit, "L 403 403 302 302"),
        ("connect to a suggestion", "get",
         reverse("needs:contact_create", args=[need.pk, land.fondation_vincennes.pk]), None,
         "L 403 403 200 403"),
        ("offer help", "get",
         reverse("needs:contact_create", args=[need.pk, land.fondation_creteil.pk]), None,
         "L 403 200 200 403"),
        ("contact on a hidden need", "get",
         reverse("needs:contact_create", args=[hidden_need.pk, land.fondation_creteil.pk]),
         None, "L 404 404 200 403"),
        ("connect to a private organisation", "get",
         reverse("needs:contact_create", args=[need.pk, land.fondation_discrete.pk]), None,
         "L 403 403 404 403"),
    ]


def test_need_routes(client, people, land, need, hidden_need):
    for name, method, url, data, expected in need_routes(land, need, hidden_need):
        got = []
        for persona in NEED_PERSONAS:
            client.logout()
            got.append(call(client, people[persona], method, url, data))
            if method == "post" and got[-1] != "302":
                assert Need.objects.get(pk=need.pk).title != "Changé", (name, persona)
        assert " ".join(got) == expected, name


def test_a_contact_post_is_refused_like_its_page(client, people, land, need):
    url = reverse("needs:contact_create", args=[need.pk, land.fondation_vincennes.pk])
    got = []
    for persona in ("anonymous", "outsider", "other", "admin"):
        client.logout()
        got.append(call(client, people[persona], "post", url, {"message": "Bonjour"}))
    assert got == ["L", "403", "403", "403"]
    assert not ContactRequest.objects.exists()


@pytest.fixture
def contact_people(admin, participant, animateur, outsider, analyste, land):
    membership_add(organisation=land.mairie_creteil, user=analyste,
                   role=Membership.Role.MEMBER)
    return {"anonymous": None, "outsider": outsider, "other": analyste,
            "sender": participant, "recipient": animateur, "admin": admin}


@pytest.fixture
def contact(land, need, participant):
    return contact_request_send(need=need, sender=land.home, recipient=land.fondation_creteil,
                                user=participant, message="Bonjour, parlons-en.")


def test_contact_routes(client, contact_people, contact):
    routes = [
        ("contacts list", reverse("needs:contacts"), "L 200 200 200 200 200"),
        ("contact page", reverse("needs:contact_detail", args=[contact.pk]),
         "L 404 404 200 200 200"),
    ]
    for name, url, expected in routes:
        got = []
        for persona in CONTACT_PERSONAS:
            client.logout()
            got.append(call(client, contact_people[persona], "get", url))
        assert " ".join(got) == expected, name


def test_only_the_recipient_answers_and_only_once(client, contact_people, contact):
    url = reverse("needs:contact_answer", args=[contact.pk])
    got = []
    for persona in ("anonymous", "outsider", "other", "sender", "admin"):
        client.logout()
        got.append(call(client, contact_people[persona], "post", url, {"decision": "accept"}))
        contact.refresh_from_db()
        assert contact.status == ContactStatus.PENDING, persona
    assert got == ["L", "404", "404", "403", "403"]
    client.logout()
    assert call(client, contact_people["recipient"], "post", url,
                {"decision": "decline"}) == "302"
    assert call(client, contact_people["recipient"], "post", url,
                {"decision": "accept"}) == "302"
    contact.refresh_from_db()
    assert contact.status == ContactStatus.DECLINED
    page = client.get(reverse("needs:contact_detail", args=[contact.pk]))
    assert "déjà reçu une réponse" in page.content.decode() or "already been answered" in (
        page.content.decode())


def test_the_answer_is_a_post(client, contact_people, contact):
    client.force_login(contact_people["recipient"])
    assert client.get(reverse("needs:contact_answer", args=[contact.pk])).status_code == 405
