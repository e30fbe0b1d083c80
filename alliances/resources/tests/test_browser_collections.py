"""An animateur makes a collection for a session from its page, adds two resources with the
search picker, puts the second first with the keyboard alone; a participant of the cohort
finds it on the session page, on a desktop and on a phone. axe-core on each page."""

import pytest

from alliances.resources.models import Collection
from alliances.testing.browser import assert_accessible, login

from .collection_fixtures import *  # noqa: F403 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _settled(page) -> None:
    """htmx has swapped and wired what it swapped (no request in flight)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def _pick(page, query: str, title: str) -> None:
    page.locator("#picker-q").fill(query)
    result = page.locator("#picker-results li", has_text=title)
    result.wait_for()
    _settled(page)
    result.locator("button").click()
    page.locator("#collection-items .collection-item", has_text=title).wait_for()
    _settled(page)


def test_an_animateur_curates_a_collection_that_the_cohort_finds_on_the_session_page(
    browser, live_server, page, phone_page, animateur, participant, password, session,
    resources,
):
    first, _, second = resources
    login(page, email=animateur.email, password=password)
    page.goto(f"/parcours/seances/{session.pk}/")
    assert_accessible(page)
    with page.expect_navigation():
        page.locator(
            f"a[href='/ressources/collections/nouvelle/?seance={session.pk}']"
        ).click()
    assert page.locator("#id_session").input_value() == str(session.pk)
    assert_accessible(page)
    page.fill("#id_title", "Avant le séminaire de lancement")
    page.fill("#id_description", "Deux lectures pour se préparer.")
    page.locator("#id_is_public").uncheck()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    collection = Collection.objects.get()
    assert page.url.endswith(f"/ressources/collections/{collection.pk}/")
    assert (collection.session, collection.is_public) == (session, False)

    # Two resources through the picker: the search ignores accents.
    _pick(page, "dialogue territorial", first.title)
    _pick(page, "cooperation", second.title)
    titles = page.locator("#collection-items .collection-item-title a")
    assert titles.all_inner_texts() == [first.title, second.title]
    assert_accessible(page)

    # The keyboard alone puts the second one first; focus stays on its button.
    item = collection.items.get(resource=second)
    up = page.locator(f"#item-{item.pk}-up")
    up.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "title => document.querySelector('#collection-items .collection-item-title a')"
        ".textContent === title",
        arg=second.title,
    )
    _settled(page)
    assert page.evaluate("document.activeElement.id") == f"item-{item.pk}-up"
    assert page.locator("#collection-items [role=status]").inner_text().startswith("«")
    assert list(collection.items.order_by("position").values_list("resource", flat=True)) == [
        second.pk, first.pk
    ]
    # Pressing it again at the top does nothing (the button says it is disabled).
    assert up.get_attribute("aria-disabled") == "true"
    page.keyboard.press("Enter")
    assert titles.all_inner_texts() == [second.title, first.title]
    # A note for the first one, by keyboard too.
    page.locator(f"#item-{item.pk}-note").fill("Un exemple de coopération à Créteil.")
    page.keyboard.press("Enter")
    page.locator(".collection-note", has_text="Un exemple").wait_for()
    _settled(page)
    assert_accessible(page)

    # A participant of the cohort finds the private collection from the session's page.
    other = browser.new_context(locale="fr-FR", base_url=live_server.url)
    other.set_default_timeout(10_000)
    reader = other.new_page()
    try:
        login(reader, email=participant.email, password=password)
        reader.goto(f"/parcours/seances/{session.pk}/")
        panel = reader.locator(".session-collections")
        assert "Avant le séminaire de lancement" in panel.inner_text()
        assert reader.locator(".session-collections a[href*='nouvelle']").count() == 0
        assert_accessible(reader)
        with reader.expect_navigation():
            panel.locator("a", has_text="Avant le séminaire de lancement").click()
        assert reader.locator(".collection-item-title a").all_inner_texts() == [
            second.title, first.title
        ]
        assert "Un exemple de coopération à Créteil." in reader.locator(
            ".collection-note"
        ).inner_text()
        assert reader.locator("#picker-q").count() == 0
        assert reader.locator("#collection-items button").count() == 0
        assert_accessible(reader)
    finally:
        other.close()

    # On a phone: the curator's page fits the width and stays clean.
    login(phone_page, email=animateur.email, password=password)
    phone_page.goto(f"/ressources/collections/{collection.pk}/")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    assert_accessible(phone_page)
