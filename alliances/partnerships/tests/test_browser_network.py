"""A visitor opens the network of a département: the graph is drawn, the list alternative
is there, a filter by actor type re-draws it, a click on an actor opens its page; axe-core
on the page, at desktop and phone width, the filters driven by the keyboard."""

import pytest

from alliances.testing.browser import assert_accessible

from .test_network_fixtures import *  # noqa: F403

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE = "/alliances/reseau/departement/94/"


def drawn(page) -> dict:
    page.set_default_timeout(30_000)  # a loaded shared machine draws slowly
    page.wait_for_function("() => window.allianceNetwork && "
                           "document.getElementById('network-status').textContent.length > 0 && "
                           "!document.getElementById('network-status').textContent.includes('…')")
    return page.evaluate("""() => {
        const cy = window.allianceNetwork;
        return {
            nodes: cy.nodes(':visible').map(n => n.data('label')).sort(),
            edges: cy.edges(':visible').length,
        };
    }""")


def visible_edges_become(page, count: int) -> None:
    """Wait for the redraw a filter sets off (the status line still shows the previous
    drawing until the new one is done)."""
    page.wait_for_function(
        "(count) => window.allianceNetwork && "
        "window.allianceNetwork.edges(':visible').length === count", arg=count)


def test_a_visitor_filters_the_network_and_opens_an_actor(page, scenario):
    page.goto(PAGE)
    shown = drawn(page)
    assert shown["nodes"] == sorted(["Boulangerie Martin", "Maison des associations de Vincennes",
                                     "Mairie de Créteil"])
    assert shown["edges"] == 3
    template = page.locator("#network-graph").get_attribute("data-shown")
    expected = template.replace("%(nodes)s", "3").replace("%(links)s", "3")
    assert page.locator("#network-status").inner_text() == expected
    # The list alternative, always in the page.
    assert page.get_by_role("table").filter(has_text="Boulangerie Martin").count() == 1
    assert page.get_by_role("link", name="Circuit court du pain").count() == 1
    assert_accessible(page)

    # The keyboard reaches the actor-type checkboxes; unticking all but two re-draws.
    page.locator("#id_type_2").focus()  # entreprise
    page.keyboard.press("Space")
    page.locator("#id_type_3").focus()  # collectivité
    page.keyboard.press("Space")
    visible_edges_become(page, 1)
    shown = drawn(page)
    assert shown["nodes"] == ["Boulangerie Martin", "Mairie de Créteil"]
    assert shown["edges"] == 1
    # The partnership type: mécénat only leaves the bakery–Mairie link of the mécénat.
    page.locator("#id_alliance_type").select_option("cooperation_economique")
    assert drawn(page)["edges"] == 1
    page.locator("#id_alliance_type").select_option("innovation_societale")
    visible_edges_become(page, 0)
    shown = drawn(page)
    assert shown["edges"] == 0
    empty = page.locator("#network-graph").get_attribute("data-empty")
    assert page.locator("#network-status").inner_text() == empty
    page.locator("#id_alliance_type").select_option("")

    # A click on an actor opens its page.
    page.locator("#network-graph").scroll_into_view_if_needed()
    page.evaluate("() => window.allianceNetwork.resize()")  # Cytoscape re-reads its offset
    box = page.locator("#network-graph").bounding_box()
    position = page.evaluate("""() => {
        const cy = window.allianceNetwork;
        return cy.nodes().filter(n => n.data('label') === 'Mairie de Créteil').renderedPosition();
    }""")
    with page.expect_navigation():
        page.mouse.click(box["x"] + position["x"], box["y"] + position["y"])
    assert page.url.endswith(f"/acteurs/{scenario.mairie.pk}/")


def test_the_isolated_actors_are_loaded_on_demand(page, scenario):
    page.goto(PAGE)
    assert "Association isolée" not in drawn(page)["nodes"]
    page.locator("#id_isolated").check()
    page.wait_for_function("() => window.allianceNetwork.nodes().length === 4")
    assert "Association isolée" in drawn(page)["nodes"]


def test_the_network_at_phone_width(page, scenario):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(PAGE)
    drawn(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    assert_accessible(page)
