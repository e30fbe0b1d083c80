"""axe-core WCAG 2.1 AA checks of the account pages, and their forms driven by a browser."""

import pytest

from alliances.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def logged_in(page, participant, password):
    login(page, email=participant.email, password=password)
    page.wait_for_url("**/compte/profil/")
    return page


@pytest.mark.parametrize(
    "path",
    ["/compte/profil/", "/compte/profil/modifier/", "/compte/supprimer/", "/compte/email/",
     "/compte/password/change/", "/compte/logout/"],
)
def test_account_pages_are_accessible(logged_in, path):
    logged_in.goto(path)
    assert logged_in.locator("h1").count() == 1
    assert_accessible(logged_in)


@pytest.mark.parametrize("path", ["/compte/password/reset/", "/compte/confirm-email/"])
def test_entrance_pages_are_accessible(page, path):
    page.goto(path)
    assert_accessible(page)


def test_profile_edit_error_is_announced_and_accessible(logged_in, membership):
    logged_in.goto("/compte/profil/modifier/")
    logged_in.fill("input[name=home_commune]", "99999")
    logged_in.locator("main form button[type=submit]").click()
    logged_in.wait_for_load_state()
    field = logged_in.locator("input[name=home_commune]")
    assert field.get_attribute("aria-invalid") == "true"
    assert "id_home_commune_error" in field.get_attribute("aria-describedby")
    assert logged_in.locator("main [role=alert]").count() == 1
    assert_accessible(logged_in)


def test_delete_my_account(logged_in, participant):
    logged_in.goto("/compte/supprimer/")
    logged_in.fill("input[name=email]", "someone-else@example.org")
    logged_in.locator("main form button[type=submit]").click()
    logged_in.wait_for_load_state()
    assert_accessible(logged_in)
    logged_in.fill("input[name=email]", participant.email)
    logged_in.locator("main form button[type=submit]").click()
    logged_in.locator(".message-success").wait_for()
    assert logged_in.locator("header a[href=\"/compte/login/\"]").count() == 1  # logged out
    participant.refresh_from_db()
    assert participant.deleted_at is not None
