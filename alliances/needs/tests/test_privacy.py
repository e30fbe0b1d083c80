"""No e-mail address of the other side before acceptance: every page and notification (on
the site and by mail) rendered as each side, before and after the answer."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from alliances.needs.services import contact_request_answer, contact_request_send
from alliances.notifications.models import DigestFrequency, Notification
from alliances.notifications.services import digest_preference_set, immediate_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(land, need, participant, animateur):
    for person in (participant, animateur):
        digest_preference_set(user=person, frequency=DigestFrequency.IMMEDIATE)
    return contact_request_send(need=need, sender=land.home, recipient=land.fondation_creteil,
                                user=participant, message="Bonjour, parlons-en.")


def everything_seen_by(client, user, contact) -> str:
    """The HTML of every page about the request, plus the notifications and mails."""
    client.force_login(user)
    urls = [
        reverse("needs:contact_detail", args=[contact.pk]), reverse("needs:contacts"),
        contact.need.get_absolute_url(), reverse("needs:index"),
        reverse("notifications:index"),
    ]
    pages = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append(response.content.decode())
    immediate_send(user_ids=None, now=timezone.now())
    pages += [n.title for n in Notification.objects.filter(recipient=user)]
    for message in mail.outbox:
        if user.email in message.to:
            pages.append(message.subject + message.body)
            pages += [content for content, _type in getattr(message, "alternatives", [])]
    return "\n".join(pages)


def test_no_address_before_acceptance_then_both_after(client, contact, participant, animateur):
    seen_by_recipient = everything_seen_by(client, animateur, contact)
    assert "Solidarité emploi Vincennes" in seen_by_recipient  # the request is there...
    assert participant.email not in seen_by_recipient  # ...but not who wrote it
    seen_by_sender = everything_seen_by(client, participant, contact)
    assert animateur.email not in seen_by_sender

    contact_request_answer(request=contact, user=animateur, accept=True)
    assert participant.email in everything_seen_by(client, animateur, contact)
    after = everything_seen_by(client, participant, contact)
    assert animateur.email in after and "https://fcs.example.org" in after
    assert any("Fondation Créteil Solidaire" in m.subject + m.body for m in mail.outbox
               if participant.email in m.to)


def test_a_declined_request_shows_no_address(client, contact, participant, animateur):
    contact_request_answer(request=contact, user=animateur, accept=False, reply="Pas cette année")
    assert participant.email not in everything_seen_by(client, animateur, contact)
    seen = everything_seen_by(client, participant, contact)
    assert animateur.email not in seen and "Pas cette année" in seen


def test_an_admin_sees_no_address_before_acceptance(client, contact, admin, participant,
                                                    animateur):
    client.force_login(admin)
    body = client.get(reverse("needs:contact_detail", args=[contact.pk])).content.decode()
    assert participant.email not in body and animateur.email not in body
