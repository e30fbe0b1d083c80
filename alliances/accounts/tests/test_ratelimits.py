"""allauth's rate limits as configured in settings.ACCOUNT_RATE_LIMITS, by real POSTs: the
lockout of an account after failed sign-ins (and its end), the sign-up and password reset
limits, and the 429 page they answer with."""

import datetime
import html

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from alliances.accounts.adapter import AccountAdapter
from alliances.core.models import AuditAction, AuditEvent

LOCK = AccountAdapter.error_messages["too_many_login_attempts"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """The counters live in the default cache, shared by the tests of one process."""
    cache.clear()
    yield
    cache.clear()


def _login(client, email: str, password: str, **headers):
    return client.post(reverse("account_login"), {"login": email, "password": password},
                       **headers)


def _text(message) -> str:
    return html.escape(str(message), quote=True)


def test_five_failures_lock_the_account_even_for_the_right_password(client, participant,
                                                                    password):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            response = _login(client, participant.email, "wrong-password")
            assert response.status_code == 200
            assert _text(LOCK) not in response.content.decode()
        response = _login(client, participant.email, password)
        assert response.status_code == 200  # the form again, not a redirect: refused
        assert "_auth_user_id" not in client.session
        with translation.override("fr"):  # the page is French: whatever the catalogue says
            assert _text(LOCK) in response.content.decode()
    with time_machine.travel(start + datetime.timedelta(minutes=14), tick=False):
        assert _login(client, participant.email, password).status_code == 200
        assert "_auth_user_id" not in client.session
    with time_machine.travel(start + datetime.timedelta(minutes=15, seconds=1), tick=False):
        response = _login(client, participant.email, password)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(participant.pk)


def test_the_lockout_message_msgid(client, participant, password):
    for _ in range(5):
        _login(client, participant.email, "wrong-password")
    response = _login(client, participant.email, password, HTTP_ACCEPT_LANGUAGE="en")
    assert (
        "Too many failed sign-in attempts: signing in to this account is locked for a while. "
        "Try again in a few minutes, or reset your password."
    ) in response.content.decode()


def test_a_lockout_is_one_account_and_one_audit_line(client, participant, outsider, password):
    for _ in range(7):  # two refused attempts after the lock starts
        _login(client, participant.email, "wrong-password")
    lines = AuditEvent.objects.filter(action=AuditAction.LOGIN_LOCKOUT)
    assert [(e.target_id, e.actor_id, e.ip) for e in lines] == [
        (str(participant.pk), None, "127.0.0.1")
    ]
    assert _login(client, outsider.email, password).status_code == 302  # not locked


def test_failures_on_an_unknown_address_lock_without_an_audit_line(client, db):
    for _ in range(6):
        _login(client, "nobody@example.org", "wrong-password")
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN_LOCKOUT).exists()


def test_a_success_does_not_count_as_a_failure(client, participant, password):
    for _ in range(4):
        _login(client, participant.email, "wrong-password")
    for _ in range(3):
        assert _login(client, participant.email, password).status_code == 302
        client.logout()
    assert _login(client, participant.email, password).status_code == 302


def _signup(client, n: int):
    return client.post(reverse("account_signup"), {
        "email": f"new{n}@example.org", "password1": "un-long-mot-de-passe-9",
        "password2": "un-long-mot-de-passe-9",
    })


def test_sign_ups_are_limited_per_address(client, django_user_model):
    for n in range(10):
        assert _signup(client, n).status_code == 302
        client.logout()
    response = _signup(client, 10)
    assert response.status_code == 429
    assert django_user_model.objects.filter(email="new10@example.org").exists() is False
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1, seconds=5)):
        assert _signup(client, 11).status_code == 302


def test_password_resets_are_limited_per_address_asked(client, participant, outsider):
    url = reverse("account_reset_password")
    for _ in range(3):
        assert client.post(url, {"email": participant.email}).status_code == 302
    assert len(mail.outbox) == 3
    response = client.post(url, {"email": participant.email})
    assert response.status_code == 429
    assert len(mail.outbox) == 3  # nothing sent
    assert client.post(url, {"email": outsider.email}).status_code == 302  # another address


def test_the_429_page_is_a_french_accessible_page(client, settings, db):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/h/ip"}
    _signup(client, 1)
    client.logout()
    response = _signup(client, 2)
    assert response.status_code == 429
    page = response.content.decode()
    assert '<html lang="fr"' in page
    assert page.count("<h1") == 1 and '<main id="main"' in page
    with translation.override("fr"):
        assert _text(translation.gettext("Too many attempts")) in page
        assert _text(translation.gettext("Back to the home page")) in page
    english = client.post(reverse("account_signup"), {"email": "x@example.org"},
                          HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 429
    assert "You have sent too many requests in a short time." in english.content.decode()
