"""A visitor searches “coopération” from the header, goes on to the resource centre, narrows
the results with a facet (htmx, the URL following), opens a resource; axe-core on each
page, the keyboard reaching the search field and the facets, and a phone-width page."""

import re

import pytest

from alliances.resources.models import ResourceKind
from alliances.resources.testing import make_resource
from alliances.testing.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def resources(participant):
    return {
        "associations": make_resource(
            by=participant, title="Les coopérations entre associations",
            kind=ResourceKind.FICHE, tags=[("type", "cooperation_economique")],
            summary="Comment des associations d'un même territoire mutualisent.",
        ),
        "locale": make_resource(
            by=participant, title="Cooperation economique locale", kind=ResourceKind.METHODE,
            tags=[("type", "cooperation_economique")],
            summary="Une méthode pour bâtir une offre commune avec des entreprises.",
        ),
        "guide": make_resource(
            by=participant, title="Guide de la coopération territoriale",
            kind=ResourceKind.OUTIL, summary="Les étapes d'une coopération.",
        ),
        "mecenat": make_resource(
            by=participant, title="Mécénat de compétences", kind=ResourceKind.TEMOIGNAGE,
            summary="Une entreprise prête ses salariés à une association.",
        ),
    }


def settle(page) -> None:
    """Wait until htmx has no request in flight and has wired the swapped content."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')"
    )


def result_titles(page) -> list[str]:
    return [t.strip() for t in page.locator("#results .resource-hit-title").all_inner_texts()]


def test_search_from_the_header_then_narrow_with_a_facet(page, resources):
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("searchbox", name="Rechercher dans les ressources et les organisations").fill(
        "coopération"
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/recherche/?q=coop" in page.url
    hits = page.locator("main .resource-hit-title")
    assert hits.count() == 3  # coopérations, cooperation, coopération: all three forms
    assert page.locator("main .resource-hit-title mark").count() == 3
    assert_accessible(page)

    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Voir les 3 ressources")).click()
    assert re.search(r"/ressources/\?q=coop%C3%A9ration$", page.url)
    assert sorted(result_titles(page)) == [
        "Cooperation economique locale", "Guide de la coopération territoriale",
        "Les coopérations entre associations",
    ]
    assert_accessible(page)

    # The keyboard reaches the search field, then the facets.
    page.locator("#id_q").focus()
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "checkbox":
            break
    assert page.evaluate("document.activeElement.id") == "facet-kind-fiche"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "facet-kind-methode"
    page.keyboard.press("Space")  # ticks “Méthode”: htmx swaps the results
    page.wait_for_url(re.compile(r"kind=methode"))
    settle(page)
    assert result_titles(page) == ["Cooperation economique locale"]
    assert page.locator("#facet-kind-methode").is_checked()
    # Focus stays on the ticked box after the swap, and the query is still in the URL.
    assert page.evaluate("document.activeElement.id") == "facet-kind-methode"
    assert "q=coop%C3%A9ration" in page.url
    assert page.locator("h1").count() == 1
    assert_accessible(page)

    # A tag facet with the mouse narrows further; its chip removes it again.
    page.locator("#facet-tag-typecooperation_economique").check()
    page.wait_for_url(re.compile(r"tag=type%3Acooperation_economique"))
    settle(page)
    assert result_titles(page) == ["Cooperation economique locale"]
    page.locator(".selected-filters a", has_text="Méthode").click()
    page.wait_for_url(lambda url: "kind=" not in url)
    settle(page)
    assert sorted(result_titles(page)) == [
        "Cooperation economique locale", "Les coopérations entre associations",
    ]

    # Reload: the same state comes from the URL alone (no JS needed).
    page.reload()
    assert page.locator("#facet-tag-typecooperation_economique").is_checked()
    assert len(result_titles(page)) == 2

    with page.expect_navigation():
        page.locator("#results .resource-hit-title a", has_text="coopérations").click()
    assert page.url.endswith(resources["associations"].get_absolute_url())
    assert page.locator("h1").inner_text() == "Les coopérations entre associations"
    assert_accessible(page)


def test_the_search_page_at_phone_width(browser, live_server, resources):
    context = browser.new_context(
        locale="fr-FR", base_url=live_server.url, viewport={"width": 390, "height": 844},
        is_mobile=True, has_touch=True,
    )
    try:
        phone = context.new_page()
        phone.goto("/ressources/?q=cooperation")
        assert len(result_titles(phone)) == 3
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        assert_accessible(phone)
        phone.goto(resources["locale"].get_absolute_url())
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        assert_accessible(phone)
    finally:
        context.close()


def test_the_referentiel_pages_are_accessible(page, resources):
    page.goto("/ressources/referentiel/")
    assert_accessible(page)
    with page.expect_navigation():
        page.locator(".referentiel-depth-2 > a").first.click()
    assert page.locator("h1 .node-number").inner_text() == "1.1"
    assert_accessible(page)


def test_a_new_query_keeps_the_ticked_filters_until_unticked(page, resources):
    page.goto("/ressources/?q=coop%C3%A9ration&tag=type%3Acooperation_economique")
    assert len(result_titles(page)) == 2
    page.locator("#id_q").fill("mécénat")
    page.locator("#id_q").press("Enter")
    page.wait_for_url(re.compile(r"q=m%C3%A9c%C3%A9nat"))
    settle(page)
    # The filter still holds: nothing about mécénat is tagged économique.
    assert result_titles(page) == []
    assert "Aucune ressource ne correspond à cette recherche." in page.locator(
        "#results").inner_text()
    box = page.locator("#facet-tag-typecooperation_economique")
    assert box.is_checked()
    # A click, not uncheck(): uncheck() checks the box's state after its click, and the
    # results' swap can replace the facets in between.
    box.click()
    page.wait_for_url(lambda url: "tag=" not in url)
    settle(page)
    assert result_titles(page) == ["Mécénat de compétences"]
    assert page.locator("#results mark").first.inner_text() == "Mécénat"
    assert_accessible(page)


def test_enter_in_the_search_field_sends_one_request(page, resources):
    # Enter fires the field's change and the form's submit: one search must go out, not
    # two in a row whose second answer could land after the visitor's next click.
    page.goto("/ressources/")
    searches: list[str] = []
    page.on("request", lambda request: searches.append(request.url)
            if "/ressources/?" in request.url else None)
    page.locator("#id_q").fill("mécénat")
    page.locator("#id_q").press("Enter")
    page.wait_for_url(re.compile(r"q=m%C3%A9c%C3%A9nat"))
    settle(page)
    page.wait_for_timeout(300)  # a queued second request would have gone out by now
    assert len(searches) == 1, searches
    assert result_titles(page) == ["Mécénat de compétences"]
