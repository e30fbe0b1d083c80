"""The animateur's cohort view in a browser: reached from the console, the radars drawn,
accessible (axe, WCAG 2.1 AA), on a desktop and at phone width."""

import pytest

from alliances.diagnostics.tests.test_cohort_view import known  # noqa: F401 (the fixture)
from alliances.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_animateur_opens_the_cohort_view_from_the_console(
    page,
    cohort,
    known,  # noqa: F811 (the fixture)
    animateur,
    password,
):
    login(page, email=animateur.email, password=password)
    page.goto(f"/parcours/{cohort.slug}/animation/")
    with page.expect_navigation():
        page.locator(f'a[href="/bilans/promotion/{cohort.slug}/"]').click()
    assert page.locator("h1").count() == 1
    assert page.locator("svg.chart-radar[role=img]").count() == 3
    # Each radar is drawn: the territory's polygon and the median's, on every axis.
    bretagne = page.locator(f"#cohort-radar-{known['teams']['Bretagne'].pk}")
    assert bretagne.locator("circle.chart-point").count() == 6
    assert page.locator("#cohort-levels").get_by_text("Drôme").count() == 0  # not compared
    assert page.locator(".cohort-not-done").get_by_text("Drôme", exact=True).count() == 1
    assert page.get_by_role("table").count() == 3
    assert_accessible(page)


def test_the_cohort_view_fits_a_phone(
    phone_page,
    cohort,
    known,  # noqa: F811 (the fixture)
    animateur,
    password,
):
    login(phone_page, email=animateur.email, password=password)
    phone_page.goto(f"/bilans/promotion/{cohort.slug}/")
    box = phone_page.locator("svg.chart-radar").first.bounding_box()
    assert box and box["width"] >= 280
    # Only the tables' own boxes scroll sideways, never the page.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(phone_page)
