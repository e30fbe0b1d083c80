"""An association's member posts a need (financement, emploi), reads the ranked
suggestions and their reasons, asks a foundation for a connection; the foundation's member,
in a second browser, finds the request in its contact requests and accepts it; the
association's member then sees the foundation member's e-mail. axe-core on every page, the
message typed and sent by the keyboard, the pages at phone width."""

import pytest

from alliances.needs.models import ContactRequest, ContactStatus, Need
from alliances.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_phone(page) -> None:
    page.set_viewport_size({"width": 390, "height": 800})
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)
        .map(e => e.tagName + ': ' + e.textContent.slice(0, 60)).slice(0, 5)""")
    assert overflow <= 0, f"{page.url} scrolls sideways at 390 px ({overflow} px): {wide}"
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_need_a_suggestion_a_request_accepted(page, browser, live_server, land, participant,
                                                animateur, password):
    login(page, email=participant.email, password=password)
    page.goto("/besoins/")
    assert_accessible(page)
    page.goto("/besoins/nouveau/")
    assert_accessible(page)
    page.fill("#id_title", "Financer un atelier d'aide à l'emploi")
    page.fill("#id_description", "Il nous manque **8 000 €**.")
    page.select_option("#id_kind", "financement")
    page.select_option("#id_fragility", "emploi")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    need = Need.objects.get()
    assert need.organisation == land.home and page.url.endswith(f"/besoins/{need.pk}/")
    assert page.locator("main strong", has_text="8 000 €").count() == 1

    suggestions = page.locator("ol.suggestions > li")
    assert suggestions.count() == 5
    assert suggestions.first.locator("a").first.inner_text() == "Fondation Vincennes Avenir"
    second = suggestions.nth(1)
    assert second.locator("a").first.inner_text() == "Fondation Créteil Solidaire"
    assert second.locator(".reasons li").count() == 2  # the type and the fragilité
    assert_accessible(page)
    fits_phone(page)

    with page.expect_navigation():
        second.locator("a.button").click()
    assert_accessible(page)
    fits_phone(page)
    # The keyboard alone: the message, then Tab to the button, then Enter.
    page.locator("#id_message").focus()
    page.keyboard.type("Bonjour, votre fondation pourrait-elle soutenir notre atelier ?")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    contact = ContactRequest.objects.get()
    assert page.url.endswith(f"/besoins/contacts/{contact.pk}/")
    assert animateur.email not in page.content()
    assert_accessible(page)

    # The foundation's member, in a browser of their own.
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.set_default_timeout(10_000)
    other = context.new_page()
    try:
        login(other, email=animateur.email, password=password)
        other.goto("/besoins/contacts/")
        assert_accessible(other)
        fits_phone(other)
        with other.expect_navigation():
            other.locator(f"a[href='/besoins/contacts/{contact.pk}/']").click()
        assert participant.email not in other.content()
        assert_accessible(other)
        fits_phone(other)
        other.locator("input[name=decision][value=accept]").check()
        other.fill("#id_reply", "Avec plaisir, appelons-nous.")
        with other.expect_navigation():
            other.locator("main form button[type=submit]").click()
        contact.refresh_from_db()
        assert contact.status == ContactStatus.ACCEPTED
        assert participant.email in other.content()
        assert_accessible(other)
    finally:
        context.close()

    page.reload()
    assert page.locator(f"a[href='mailto:{animateur.email}']").count() == 1
    assert "Avec plaisir, appelons-nous." in page.content()
    assert_accessible(page)
    fits_phone(page)
