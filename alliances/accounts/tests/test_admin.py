import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from alliances.accounts.models import User

pytestmark = pytest.mark.django_db


def test_changelist_searches_and_filters(client, admin, participant, animateur):
    client.force_login(admin)
    response = client.get(reverse("admin:accounts_user_changelist"), {"q": "Paul"})
    assert response.status_code == 200
    assert b"participant@example.org" in response.content
    assert b"animateur@example.org" not in response.content
    response = client.get(reverse("admin:accounts_user_changelist"), {"role__exact": "animateur"})
    assert b"animateur@example.org" in response.content
    assert b"participant@example.org" not in response.content


def test_non_admin_cannot_reach_the_back_office(client, participant):
    client.force_login(participant)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302


def test_add_user(client, admin, password):
    client.force_login(admin)
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Person@Example.org",
            "display_name": "New Person",
            "role": "analyste",
            "usable_password": "true",
            "password1": password,
            "password2": password,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="new.person@example.org")
    assert user.role == User.Role.ANALYSTE
    assert user.check_password(password)
    assert EmailAddress.objects.filter(user=user, primary=True).exists()


def test_add_user_refuses_a_taken_email(client, admin, participant, password):
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "PARTICIPANT@example.org",
            "role": "participant",
            "usable_password": "true",
            "password1": password,
            "password2": password,
        },
    )
    assert response.status_code == 200
    assert User.objects.filter(email__iexact="participant@example.org").count() == 1


def test_change_user_role(client, admin, participant):
    client.force_login(admin)
    url = reverse("admin:accounts_user_change", args=[participant.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "email": participant.email,
            "display_name": "Paul P.",
            "home_commune": "",
            "role": "animateur",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    participant.refresh_from_db()
    assert participant.role == User.Role.ANIMATEUR
    assert participant.display_name == "Paul P."


def test_anonymise_action(client, admin, participant):
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "anonymise", "_selected_action": [participant.pk]},
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.deleted_at is not None
