"""The contact requests' limits, by real POSTs: at most 5 a day from one person to the same
organisation, 20 a day in all; a refused request is a form error and writes nothing."""

import datetime
import html

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from alliances.needs.models import ContactRequest, HelpKind
from alliances.needs.services import need_create
from alliances.notifications.models import Notification


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def needs(land, participant):
    return [
        need_create(organisation=land.home, title=f"Besoin {n}", kind=HelpKind.FINANCEMENT,
                    fragility="emploi", created_by=participant)
        for n in range(6)
    ]


def _ask(client, need, organisation, **headers):
    return client.post(reverse("needs:contact_create", args=[need.pk, organisation.pk]),
                       {"message": "Bonjour, pourrions-nous en parler ?"}, **headers)


def _escaped(message: str) -> str:
    return html.escape(message, quote=True)


def test_five_requests_a_day_to_the_same_organisation(client, land, needs, participant):
    client.force_login(participant)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for need in needs[:5]:
            assert _ask(client, need, land.fondation_creteil).status_code == 302
        notified = Notification.objects.count()
        response = _ask(client, needs[5], land.fondation_creteil)
        assert response.status_code == 200  # the form again, with the reason
        with translation.override("fr"):
            expected = translation.gettext(
                "You have sent %(limit)d contact requests to %(organisation)s in the last 24 "
                "hours, the most allowed: try again tomorrow."
            ) % {"limit": 5, "organisation": land.fondation_creteil.name}
            assert _escaped(expected) in response.content.decode()
        assert ContactRequest.objects.filter(recipient=land.fondation_creteil).count() == 5
        assert Notification.objects.count() == notified  # nothing written, nobody notified
        assert _ask(client, needs[5], land.mairie_creteil).status_code == 302  # another one
    with time_machine.travel(start + datetime.timedelta(hours=24, minutes=1), tick=False):
        assert _ask(client, needs[5], land.fondation_creteil).status_code == 302


def test_the_recipient_limit_msgid(client, land, needs, participant):
    client.force_login(participant)
    for need in needs[:5]:
        _ask(client, need, land.fondation_creteil)
    response = _ask(client, needs[5], land.fondation_creteil, HTTP_ACCEPT_LANGUAGE="en")
    assert _escaped(
        f"You have sent 5 contact requests to {land.fondation_creteil.name} in the last 24 "
        "hours, the most allowed: try again tomorrow."
    ) in response.content.decode()


def test_twenty_requests_a_day_in_all(client, land, needs, participant):
    client.force_login(participant)
    recipients = [land.fondation_creteil, land.mairie_creteil, land.banque_creteil,
                  land.lycee_creteil]
    for organisation in recipients:
        for need in needs[:5]:
            assert _ask(client, need, organisation).status_code == 302
    response = _ask(client, needs[0], land.fondation_montreuil)
    assert response.status_code == 200
    with translation.override("fr"):
        expected = translation.gettext(
            "You have sent %(limit)d contact requests in the last 24 hours, the most allowed: "
            "try again tomorrow."
        ) % {"limit": 20}
        assert _escaped(expected) in response.content.decode()
    assert ContactRequest.objects.count() == 20

