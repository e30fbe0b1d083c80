import re

import pytest

from alliances.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_filters_update_the_results_in_place_and_the_url(page, organisation, many_organisations):
    page.goto("/territoires/departement/94/")
    assert_accessible(page)
    page.select_option("#id_type", "association")
    page.wait_for_url(re.compile(r"type=association"))
    results = page.locator("#results")
    results.get_by_text("Acteur 00").wait_for()
    assert results.get_by_text("Acteur 01").count() == 0
    # Only the results were swapped: the filter form kept its state.
    assert page.locator("#id_type").input_value() == "association"
    assert page.locator("h1").count() == 1
    page.fill("#id_q", "maison")
    results.get_by_text(organisation.name).wait_for()
    page.wait_for_url(re.compile(r"q=maison"))
    assert results.get_by_text("Acteur 00").count() == 0


def test_pagination_swaps_the_results(page, many_organisations):
    page.goto("/acteurs/")
    assert_accessible(page)
    page.locator(".pagination a[rel=next]").click()
    page.wait_for_url(re.compile(r"page=2"))
    page.locator("#results").get_by_text("Acteur 25").wait_for()
    assert page.locator('.pagination a[aria-current="page"]').inner_text().strip().endswith("2")


def test_actor_pages_are_accessible(page, organisation, participant, password):
    page.goto(organisation.get_absolute_url())
    assert_accessible(page)
    login(page, email=participant.email, password=password)
    page.goto(f"/acteurs/{organisation.pk}/modifier/")
    assert_accessible(page)
    page.fill("#id_siren", "552100555")
    page.fill("#id_commune_code", "99999")
    with page.expect_navigation():
        page.locator("main form.organisation-form button[type=submit]").click()
    assert page.locator("#id_siren").get_attribute("aria-invalid") == "true"
    assert page.locator("#id_commune_code").get_attribute("aria-invalid") == "true"
    assert_accessible(page)


def test_territory_index_is_accessible(page, vincennes):
    page.goto("/territoires/?q=vincennes")
    page.get_by_role("link", name="Vincennes").first.wait_for()
    assert_accessible(page)


def test_a_bad_filter_is_announced_accessibly(page, many_organisations):
    page.goto("/acteurs/?type=licorne&page=abc")
    notices = page.locator("#results [role=alert] li")
    assert notices.count() == 2
    assert_accessible(page)
