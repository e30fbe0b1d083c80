"""allauth flows through our templates: sign-up, e-mail confirmation, login, logout, passwords."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from alliances.accounts.models import User

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "another-long-passphrase-77"


def link_in(mail) -> str:
    match = re.search(r"https?://[^/\s]+(/\S+)", mail.body)
    assert match, mail.body
    return match.group(1)


def test_signup_sends_a_confirmation_mail_whose_link_logs_in(client, mailoutbox, password):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": password, "password2": password},
    )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="new@example.org")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new@example.org"]
    assert mailoutbox[0].subject.startswith("[Alliances] ")
    # Not logged in before confirming.
    assert client.get(reverse("accounts:profile")).status_code == 302

    confirm_url = link_in(mailoutbox[0])
    page = client.get(confirm_url)
    assert page.status_code == 200
    assert b'class="skip-link"' in page.content  # rendered inside our base.html
    response = client.post(confirm_url)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_signup_errors_are_tied_to_their_fields(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "not-an-email", "password1": "short", "password2": "other"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'id="id_email_error"' in html
    assert re.search(r'<input[^>]*aria-describedby="[^"]*id_email_error', html)
    assert '<label for="id_email"' in html
    assert not User.objects.filter(email="not-an-email").exists()


def test_login_by_email(client, participant, password):
    response = client.post(
        reverse("account_login"), {"login": "PARTICIPANT@example.org", "password": password}
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_login_with_a_wrong_password_shows_an_error(client, participant):
    response = client.post(
        reverse("account_login"), {"login": participant.email, "password": "wrong-password"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "errorlist nonfield" in html
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(client, participant):
    client.force_login(participant)
    page = client.get(reverse("account_logout"))
    assert page.status_code == 200  # a confirmation page, not a logout
    assert "_auth_user_id" in client.session
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_by_mail(client, participant, mailoutbox):
    assert client.get(reverse("account_reset_password")).status_code == 200
    response = client.post(reverse("account_reset_password"), {"email": participant.email})
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200  # "done" page
    assert len(mailoutbox) == 1
    key_url = link_in(mailoutbox[0])
    response = client.get(key_url)  # allauth moves the key into the session, then redirects
    assert response.status_code == 302
    form_url = response.url
    assert client.get(form_url).status_code == 200
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200  # "from key done" page
    participant.refresh_from_db()
    assert participant.check_password(NEW_PASSWORD)


def test_password_change(client, participant, password):
    client.force_login(participant)
    page = client.get(reverse("account_change_password"))
    assert page.status_code == 200
    assert b'aria-current="page"' in page.content
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.check_password(NEW_PASSWORD)


def test_password_change_with_a_wrong_old_password(client, participant, password):
    client.force_login(participant)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "nope", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert 'id="id_oldpassword_error"' in response.content.decode()
    participant.refresh_from_db()
    assert participant.check_password(password)


def test_email_management_adds_an_address(client, participant, mailoutbox):
    client.force_login(participant)
    page = client.get(reverse("account_email"))
    assert page.status_code == 200
    assert b"<legend>" in page.content
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "second@example.org"}
    )
    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=participant, email="second@example.org").exists()
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    "name",
    ["account_signup", "account_login", "account_reset_password",
     "account_reset_password_done", "account_email_verification_sent"],
)
def test_entrance_pages_use_the_site_layout(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="skip-link"' in html
    assert html.count("<h1>") == 1
    assert "<script>" not in html and "style=" not in html  # the CSP allows neither


@pytest.mark.parametrize("name", ["account_logout", "account_change_password", "account_email"])
def test_manage_pages_use_the_site_layout(client, participant, name):
    client.force_login(participant)
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="skip-link"' in html
    assert html.count("<h1>") == 1
    assert "<script>" not in html and "style=" not in html


def test_labels_for_every_login_input(client):
    html = client.get(reverse("account_login")).content.decode()
    pattern = r'<input[^>]*type="(?:email|password|text|checkbox)"[^>]*id="([^"]+)"'
    for field_id in re.findall(pattern, html):
        assert f'for="{field_id}"' in html, field_id


def test_a_form_error_alone_makes_no_empty_list(client, participant):
    html = client.post(
        reverse("account_login"), {"login": participant.email, "password": "wrong-password"}
    ).content.decode()
    assert "<ul></ul>" not in html.replace("\n", "").replace(" ", "")
