"""The map in a browser, with no tile server configured: markers drawn on the canvas, the
type filter (markers and list), a marker's popup leading to the actor's page, the keyboard,
axe, and a phone's width."""

import re

import pytest

from alliances.testing.browser import assert_accessible, login

from .test_map import PAGE, actors  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNT_MARKERS = """() => {
  let n = 0;
  document.getElementById('actors-map').actorsMap.eachLayer(layer => {
    if (layer instanceof L.CircleMarker) n += 1;
  });
  return n;
}"""


def open_map(page):
    page.goto(PAGE)
    page.locator("#actors-map[data-ready=true]").wait_for()


def click_marker(page, lat, lng):
    point = page.evaluate(
        "([lat, lng]) => document.getElementById('actors-map').actorsMap"
        ".latLngToContainerPoint([lat, lng])", [lat, lng])
    box = page.locator("#actors-map").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def test_markers_filter_and_popup_without_tiles(page, actors):  # noqa: F811
    open_map(page)
    assert page.locator("#actors-map canvas").count() == 1
    assert page.locator("#actors-map .leaflet-tile").count() == 0
    assert page.evaluate(COUNT_MARKERS) == 4
    assert page.locator("#map-status").inner_text() == "Acteurs sur la carte : 4"
    assert_accessible(page)

    # Companies off: their markers leave the map, and the list follows.
    page.locator("#map-type-entreprise").uncheck()
    page.wait_for_url(re.compile(r"f=1"))
    assert page.evaluate(COUNT_MARKERS) == 2
    assert page.locator("#map-status").inner_text() == "Acteurs sur la carte : 2"
    page.locator("#map-list").get_by_text("Mairie de Créteil").wait_for()
    assert page.locator("#map-list").get_by_text("Boulangerie Martin").count() == 0
    page.locator("#map-type-entreprise").check()
    page.locator("#map-list").get_by_text("Boulangerie Martin").wait_for()
    assert page.evaluate(COUNT_MARKERS) == 4

    # The association's own point: its popup links to its page.
    click_marker(page, 48.85, 2.44)
    popup = page.locator(".leaflet-popup-content")
    popup.get_by_text("Maison des associations de Vincennes").wait_for()
    assert "Association" in popup.inner_text()
    link = popup.get_by_role("link", name="Ouvrir la fiche")
    target = f"/acteurs/{actors['association'].pk}/"
    assert link.get_attribute("href").endswith(target)
    # The popup may still be panning the map into view: wait for the pan to end, then
    # follow the link (a click during the pan's animation could land beside it).
    page.wait_for_function(
        "() => { const map = document.getElementById('actors-map').actorsMap;"
        " return !(map._panAnim && map._panAnim._inProgress); }")
    link.click()
    page.wait_for_url(re.compile(re.escape(target) + "$"), wait_until="commit",
                      timeout=30_000)


def test_a_marker_at_its_communes_centre_says_so(page, actors):  # noqa: F811
    open_map(page)
    click_marker(page, 48.7904, 2.4556)
    popup = page.locator(".leaflet-popup-content")
    popup.get_by_text("Mairie de Créteil").wait_for()
    assert "Position approximative" in popup.inner_text()


def test_the_keyboard_moves_and_zooms_the_map(page, actors):  # noqa: F811
    open_map(page)
    zoom = page.evaluate("document.getElementById('actors-map').actorsMap.getZoom()")
    page.locator("#actors-map").focus()
    page.keyboard.press("-")
    page.wait_for_function(
        f"document.getElementById('actors-map').actorsMap.getZoom() < {zoom}")
    assert page.get_by_role("button", name="Zoom avant").count() == 1


def test_a_member_sees_the_private_actor_on_the_map(page, actors, participant, password):  # noqa: F811
    login(page, email=participant.email, password=password)
    open_map(page)
    assert page.evaluate(COUNT_MARKERS) == 5
    assert page.locator("#map-list").get_by_text("Collectif discret").count() == 1


def test_the_map_on_a_phone(phone_page, actors):  # noqa: F811
    phone_page.goto(PAGE)
    phone_page.locator("#actors-map[data-ready=true]").wait_for()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone ({width}px wide)"
    assert phone_page.locator("#actors-map").bounding_box()["height"] >= 250
    assert_accessible(phone_page)
