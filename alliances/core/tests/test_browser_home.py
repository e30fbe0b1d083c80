import pytest

from alliances.testing.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_in_french_is_accessible(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").count() == 1
    assert "la plateforme de la co-construction territoriale" in page.inner_text("h1")
    assert_accessible(page)


def test_language_switch_to_english_and_back(page):
    page.goto("/")
    page.select_option("#language-select", "en")
    page.locator(".language-form button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Alliances, the platform of territorial co-construction" in page.inner_text("h1")
    assert_accessible(page)
    page.select_option("#language-select", "fr")
    page.locator(".language-form button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"


def test_home_works_on_a_phone(phone_page):
    phone_page.goto("/")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone ({width}px wide)"
    assert_accessible(phone_page)


def test_keyboard_reaches_the_main_content_first(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
