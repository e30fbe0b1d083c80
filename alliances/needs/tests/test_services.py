"""Needs and contact requests through the services: what is refused (nothing written),
who is notified, the daily limit, one answer only."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from alliances.actors.models import Membership
from alliances.actors.services import membership_add
from alliances.needs import services
from alliances.needs.models import ContactRequest, ContactStatus, HelpKind, Need, NeedStatus
from alliances.needs.services import (
    contact_request_answer,
    contact_request_send,
    need_create,
    need_update,
)
from alliances.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def send(need, sender, recipient, user, message="Bonjour, parlons-en."):
    return contact_request_send(need=need, sender=sender, recipient=recipient, user=user,
                                message=message)


def test_a_need_without_title_or_with_an_unknown_kind_is_refused(land, participant):
    with pytest.raises(ValidationError) as error:
        need_create(organisation=land.home, title="  ", kind="argent", created_by=participant)
    assert set(error.value.message_dict) == {"title", "kind"}
    assert not Need.objects.exists()


def test_a_need_update_checks_the_status(need):
    with pytest.raises(ValidationError) as error:
        need_update(need=need, data={"status": "perdu"})
    assert "status" in error.value.message_dict
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN
    need_update(need=need, data={"status": NeedStatus.MET, "title": "Atelier financé"})
    need.refresh_from_db()
    assert (need.status, need.title) == (NeedStatus.MET, "Atelier financé")


def test_a_request_notifies_the_recipient_members_with_its_page(land, need, participant,
                                                                 animateur):
    request = send(need, land.home, land.fondation_creteil, participant)
    notification = Notification.objects.get()
    assert notification.recipient == animateur
    assert notification.kind == NotificationKind.CONTACT_REQUEST
    assert notification.url == reverse("needs:contact_detail", args=[request.pk])
    assert "Solidarité emploi Vincennes" in notification.title
    assert "@" not in notification.title
    assert request.status == ContactStatus.PENDING and request.sent_by == participant


@pytest.mark.parametrize("case", ["duplicate", "reverse", "declined"])
def test_the_same_pair_cannot_write_twice_about_a_need(case, land, need, participant,
                                                       animateur):
    first = send(need, land.home, land.fondation_creteil, participant)
    if case == "declined":
        contact_request_answer(request=first, user=animateur, accept=False)
    with pytest.raises(ValidationError) as error:
        if case == "reverse":
            send(need, land.fondation_creteil, land.home, animateur)
        else:
            send(need, land.home, land.fondation_creteil, participant)
    if case == "declined":
        assert "declined" in error.value.messages[0] or "refusée" in error.value.messages[0]
    assert ContactRequest.objects.count() == 1


def test_no_request_to_itself_or_outside_the_need(land, need, participant, animateur):
    with pytest.raises(ValidationError) as error:
        send(need, land.home, land.home, participant)
    assert "recipient" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        send(need, land.fondation_creteil, land.mairie_creteil, animateur)
    assert "recipient" in error.value.message_dict
    assert not ContactRequest.objects.exists()


def test_only_on_behalf_of_ones_own_organisation(land, need, outsider):
    with pytest.raises(ValidationError) as error:
        send(need, land.fondation_creteil, land.home, outsider)
    assert "sender" in error.value.message_dict
    assert not ContactRequest.objects.exists()


def test_a_need_the_sender_cannot_see_is_refused(land, hidden_need, animateur):
    with pytest.raises(ValidationError):
        send(hidden_need, land.fondation_creteil, hidden_need.organisation, animateur)
    assert not ContactRequest.objects.exists()


def test_a_closed_need_takes_no_request(land, need, participant):
    need_update(need=need, data={"status": NeedStatus.CLOSED})
    with pytest.raises(ValidationError):
        send(need, land.home, land.fondation_creteil, participant)


def test_an_empty_message_is_refused(land, need, participant):
    with pytest.raises(ValidationError) as error:
        send(need, land.home, land.fondation_creteil, participant, message="   ")
    assert "message" in error.value.message_dict


def test_the_daily_limit_is_counted_in_the_database(land, need, participant, monkeypatch):
    monkeypatch.setattr(services, "CONTACT_REQUESTS_PER_DAY", 2)
    start = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        send(need, land.home, land.fondation_creteil, participant)
        send(need, land.home, land.mairie_creteil, participant)
        with pytest.raises(ValidationError) as error:
            send(need, land.home, land.banque_creteil, participant)
        assert "24" in error.value.messages[0]
    assert ContactRequest.objects.count() == 2
    with time_machine.travel(start + datetime.timedelta(hours=24, minutes=1), tick=False):
        send(need, land.home, land.banque_creteil, participant)
    assert ContactRequest.objects.count() == 3


def test_an_answer_once_by_the_recipient_notifies_the_sender(land, need, participant,
                                                              animateur):
    request = send(need, land.home, land.fondation_creteil, participant)
    with pytest.raises(ValidationError):
        contact_request_answer(request=request, user=participant, accept=True)
    contact_request_answer(request=request, user=animateur, accept=True, reply="Avec plaisir")
    request.refresh_from_db()
    assert (request.status, request.answered_by, request.reply) == (
        ContactStatus.ACCEPTED, animateur, "Avec plaisir")
    answer = Notification.objects.get(kind=NotificationKind.CONTACT_ANSWER)
    assert answer.recipient == participant and answer.url.endswith(f"/contacts/{request.pk}/")
    with pytest.raises(ValidationError):
        contact_request_answer(request=request, user=animateur, accept=False)
    request.refresh_from_db()
    assert request.status == ContactStatus.ACCEPTED


def test_every_member_of_the_recipient_is_notified(land, need, participant, animateur,
                                                   analyste):
    membership_add(organisation=land.fondation_creteil, user=analyste,
                   role=Membership.Role.MEMBER)
    send(need, land.home, land.fondation_creteil, participant)
    assert set(Notification.objects.values_list("recipient__email", flat=True)) == {
        animateur.email, analyste.email}


def test_need_kinds_are_the_five_of_the_brief():
    assert set(HelpKind.values) == {"competences", "financement", "benevoles", "lieu",
                                    "materiel"}
