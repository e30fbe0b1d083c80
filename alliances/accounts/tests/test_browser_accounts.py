import re

import pytest

from alliances.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_confirm_email_log_out_and_log_in(page, mailoutbox, django_user_model):
    page.goto("/compte/signup/")
    assert_accessible(page)
    page.fill("input[name=email]", "nouvelle@example.org")
    page.fill("input[name=password1]", "un-mot-de-passe-solide-2026")
    page.fill("input[name=password2]", "un-mot-de-passe-solide-2026")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert_accessible(page)

    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/compte/confirm-email/\S+/", mailoutbox[0].body).group(0)
    page.goto(link)
    assert_accessible(page)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/compte/profil/")
    assert django_user_model.objects.filter(email="nouvelle@example.org").exists()

    page.locator("header form button[type=submit]", has_text=re.compile(".+")).first.click()
    page.wait_for_load_state()
    login(page, email="nouvelle@example.org", password="un-mot-de-passe-solide-2026")
    assert page.url.endswith("/compte/profil/")
    assert_accessible(page)


def test_login_with_a_wrong_password_shows_an_error(page, participant):
    page.goto("/compte/login/")
    assert_accessible(page)
    page.fill("input[name=login]", participant.email)
    page.fill("input[name=password]", "not-the-password")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/compte/login/")
    assert page.locator("main [role=alert], main .errorlist").count() >= 1
    assert_accessible(page)


def test_keyboard_only_login(page, participant, password):
    page.goto("/compte/login/")
    page.focus("input[name=login]")
    page.keyboard.type(participant.email)
    for _ in range(3):  # the password field comes next, perhaps after the "forgot?" link
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "password":
            break
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/compte/profil/")
