import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from alliances.accounts.models import User
from alliances.actors.models import Membership, Organisation

pytestmark = pytest.mark.django_db


def test_delete_page_asks_for_the_email(client, participant):
    client.force_login(participant)
    response = client.get(reverse("accounts:delete"))
    assert response.status_code == 200
    assert b'name="email"' in response.content
    assert User.objects.get(pk=participant.pk).deleted_at is None


def test_wrong_email_deletes_nothing(client, participant, membership):
    client.force_login(participant)
    response = client.post(reverse("accounts:delete"), {"email": "outsider@example.org"})
    assert response.status_code == 200
    assert 'id="id_email_error"' in response.content.decode()
    participant.refresh_from_db()
    assert participant.deleted_at is None
    assert participant.is_active
    assert participant.email == "participant@example.org"
    assert Membership.objects.filter(user=participant).exists()
    assert "_auth_user_id" in client.session


def test_right_email_anonymises_and_logs_out(client, participant, membership, password):
    other_session = type(client)()
    other_session.force_login(participant)
    client.force_login(participant)
    response = client.post(reverse("accounts:delete"), {"email": "Participant@Example.org"})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session

    participant.refresh_from_db()
    assert participant.email == f"deleted-{participant.pk}@invalid.alliances"
    assert participant.display_name == ""
    assert str(participant) in {"Compte supprimé", "Deleted account"}
    assert participant.deleted_at is not None
    assert not participant.is_active
    assert not participant.has_usable_password()
    assert not EmailAddress.objects.filter(user=participant).exists()
    assert not Membership.objects.filter(user=participant).exists()
    assert Organisation.objects.filter(pk=membership.organisation_id).exists()

    # Every other session ended too.
    assert other_session.get(reverse("accounts:profile")).status_code == 302
    # And the old credentials no longer open anything.
    response = client.post(
        reverse("account_login"), {"login": "participant@example.org", "password": password}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_address_is_free_again_after_deletion(client, participant, password):
    client.force_login(participant)
    client.post(reverse("accounts:delete"), {"email": participant.email})
    response = client.post(
        reverse("account_signup"),
        {"email": "participant@example.org", "password1": password, "password2": password},
    )
    assert response.status_code == 302
    assert User.objects.filter(email="participant@example.org").exists()
