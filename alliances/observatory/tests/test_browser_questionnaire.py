"""A respondent answers in a real browser: by an invitation on a desktop, with the keyboard
only for the choices; by the open link on a phone (375 px), saving half-way and coming back by
the resume link. axe-core on every kind of page (welcome, a page, a page with errors, review,
saved, thanks, already answered, closed, too many starts).

Controls are found by ids and form values, not by their French labels.
"""

import pytest

from alliances.observatory import collection, services
from alliances.observatory.models import Wave, WebResponse
from alliances.testing.browser import assert_accessible

from .test_questionnaire_services import collecting_wave

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def press(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


def tab_to(page, element_id: str, limit: int = 25) -> None:
    """Press Tab until the element has the focus: it is reachable by keyboard."""
    for _n in range(limit):
        if page.evaluate("() => document.activeElement && document.activeElement.id") \
                == element_id:
            return
        page.keyboard.press("Tab")
    pytest.fail(f"#{element_id} not reached with Tab")


def expected_status(page, status: int) -> None:
    """Chromium logs a page answered 4xx as a console error, which the `page` fixture counts
    as a failure: drop that one line when the status is what the test wants."""
    line = f"the server responded with a status of {status}"
    page.js_errors[:] = [error for error in page.js_errors if line not in error]


def no_horizontal_scroll(page) -> None:
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth"
    ), "the page scrolls sideways"


def test_an_invitation_answered_on_a_desktop_with_the_keyboard(page, analyste):
    wave = collecting_wave(analyste)
    token = collection.invitations_create(wave=wave, labels=["Mairie de Die"])[0].token

    page.goto(f"/observatoire/repondre/{token}/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("meta[name=robots]").get_attribute("content").startswith("noindex")
    assert_accessible(page)
    press(page, "main a.q-button")

    # Page 1: radios reached with Tab, checked with Space and the arrows.
    assert page.locator("progress").get_attribute("value") == "1"
    assert_accessible(page)
    tab_to(page, "q-region-0")
    page.keyboard.press("Space")
    assert page.locator("#q-region-0").is_checked()
    page.keyboard.press("ArrowDown")
    assert page.locator("#q-region-1").is_checked()
    assert not page.locator("#q-region-0").is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.name") == "taille_commune"
    page.keyboard.press("Space")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the form's first button: next

    # Page 2 sent without the required q4: the errors, then the fields, keyboard again.
    assert "/etape/2/" in page.url
    tab_to(page, "q-q14-0")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "q-q14-2"
    page.keyboard.press("Space")
    page.fill("#q-q20", "12")
    press(page, "button[value=next]")
    expected_status(page, 400)
    assert page.locator(".error-summary a[href='#q-q4-0']").count() == 1
    assert page.locator("#q-q4-error").count() == 1
    assert page.locator("#q-q14-0").is_checked() and page.locator("#q-q14-2").is_checked()
    assert page.title().startswith("Erreur")
    assert_accessible(page)
    page.locator(".error-summary a").first.click()
    tab_to(page, "q-q4-0")
    page.keyboard.press("Space")
    press(page, "button[value=next]")

    # Page 3, then the review and the sending.
    page.fill("#q-q30", "Un territoire qui bouge.")
    press(page, "button[value=next]")
    assert "/relecture/" in page.url
    assert_accessible(page)
    assert page.locator("[data-question=region] dd").inner_text() == "Auvergne-Rhône-Alpes"
    assert page.locator("[data-question=q14] dd").inner_text() == (
        "Des associations ; Des établissements scolaires")
    press(page, "main form button[type=submit]")
    assert page.url.endswith("/merci/"), page.url
    assert_accessible(page)
    assert "Mairie de Die" not in page.content()

    response = WebResponse.objects.get()
    assert response.status == "envoyee"
    assert response.answers == {"region": "84", "taille_commune": "moins_1000", "q4": "oui",
                                "q14": ["asso", "ecoles"], "q20": 12,
                                "q30": "Un territoire qui bouge."}

    # The link again: already answered.
    page.goto(f"/observatoire/repondre/{token}/")
    assert page.locator("main form").count() == 0
    assert_accessible(page)


def test_the_open_link_on_a_phone_saved_and_resumed(phone_page, analyste, live_server):
    page = phone_page
    wave = collecting_wave(analyste, open_link=True)

    page.goto(f"/observatoire/enquete/{wave.open_key}/")
    assert_accessible(page)
    no_horizontal_scroll(page)
    press(page, "main form button")
    assert_accessible(page)
    no_horizontal_scroll(page)
    # Every option is a row at least 44 px high that a thumb can tap, label included.
    heights = page.eval_on_selector_all(".q-choice", "rows => rows.map(r => r.offsetHeight)")
    assert heights and min(heights) >= 44
    page.locator("label[for=q-region-2]").tap()
    page.locator("label[for=q-taille_commune-1]").tap()
    press(page, "button[value=next]")
    page.locator("label[for=q-q4-1]").tap()
    no_horizontal_scroll(page)
    press(page, "button[value=later]")

    # The saved page gives the resume link; another phone opens it.
    assert "/enregistre/" in page.url
    assert_accessible(page)
    no_horizontal_scroll(page)
    link = page.locator("#resume-link").get_attribute("href")
    response = WebResponse.objects.get()
    assert link == f"{live_server.url}/observatoire/reprendre/{response.resume_key}/"
    assert response.answers == {"region": "53", "taille_commune": "1000_plus", "q4": "non"}

    other = page.context.browser.new_context(
        locale="fr-FR", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    try:
        phone = other.new_page()
        phone.goto(link)
        assert_accessible(phone)
        press(phone, "main a.q-button")
        assert phone.locator("#q-region-2").is_checked()
        press(phone, "button[value=next]")
        assert phone.locator("#q-q4-1").is_checked()
        phone.locator("label[for=q-q14-1]").tap()
        phone.fill("#q-q20", "3")
        press(phone, "button[value=next]")
        press(phone, "button[value=next]")
        assert "/relecture/" in phone.url
        no_horizontal_scroll(phone)
        press(phone, "main form button[type=submit]")
        assert phone.url.endswith("/merci/")
        no_horizontal_scroll(phone)
    finally:
        other.close()
    response.refresh_from_db()
    assert response.status == "envoyee" and response.answers["q14"] == ["entreprises"]


def test_the_refusal_pages_are_accessible(page, analyste, settings):
    wave = collecting_wave(analyste, open_link=True)
    settings.OBSERVATORY_OPEN_LINK_RATE = "0/h"
    page.goto(f"/observatoire/enquete/{wave.open_key}/")
    press(page, "main form button")
    expected_status(page, 429)
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    assert not WebResponse.objects.exists()

    services.wave_set_status(wave=wave, status=Wave.Status.CLOSE, by=analyste)
    answer = page.goto(f"/observatoire/enquete/{wave.open_key}/")
    assert answer.status == 410
    expected_status(page, 410)
    assert_accessible(page)
