"""The grid import page in a browser: an admin imports a bad file then a good one; the
page passes axe, at desktop and phone width."""

import json
from importlib import import_module

import pytest

from alliances.diagnostics.default_grid import DEFAULT_GRID
from alliances.diagnostics.models import GridVersion, GridVersionStatus
from alliances.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _file(data) -> dict:
    return {
        "name": "grille.json",
        "mimeType": "application/json",
        "buffer": json.dumps(data).encode(),
    }


def test_an_admin_imports_a_grid_file(page, admin, password):
    # The import ends in the back-office, whose pages link no favicon: Chromium then asks
    # for /favicon.ico, a 404 the page fixture would count as an error of ours.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    login(page, email=admin.email, password=password)
    page.goto("/bilans/importer-une-grille/")
    assert_accessible(page)
    bad = {**DEFAULT_GRID, "grid": {"slug": "grille-locale", "name": ""}}
    page.locator("input[type=file]").set_input_files(_file(bad))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    errors = page.locator(".error-summary li")
    assert errors.count() == 1
    assert "grid.name" in errors.first.inner_text()
    assert page.locator("input[type=file]").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    assert not GridVersion.objects.filter(grid__slug="grille-locale").exists()

    good = {**DEFAULT_GRID, "grid": {"slug": "grille-locale", "name": "Grille locale"}}
    page.locator("input[type=file]").set_input_files(_file(good))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    version = GridVersion.objects.get(grid__slug="grille-locale")
    assert version.status == GridVersionStatus.DRAFT
    assert page.url.endswith(f"/admin/diagnostics/gridversion/{version.pk}/change/")
    assert (
        page.locator("textarea[name=criteria-0-level_1]")
        .input_value()
        .startswith("Les fragilités sont connues par bribes")
    )


def test_the_import_page_at_phone_width(phone_page, admin, password):
    login(phone_page, email=admin.email, password=password)
    phone_page.goto("/bilans/importer-une-grille/")
    assert_accessible(phone_page)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375


@pytest.fixture
def default_grid(transactional_db) -> None:
    """A transactional test starts from a flushed database: ship the default grid again
    (as alliances/conftest.py does for the other reference data)."""
    from django.apps import apps

    import_module("alliances.diagnostics.migrations.0002_default_grid").load(apps, None)


def test_a_visitor_reads_the_default_grid(default_grid, page, phone_page):
    page.goto("/bilans/grilles/")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role(
            "link", name="Grille de maturité de la co-construction territoriale"
        ).click()
    assert page.locator("h2", has_text="Dialogue territorial").count() == 1
    assert page.locator(".grid-criterion").count() == 28
    assert_accessible(page)
    phone_page.goto("/bilans/grilles/co-construction-territoriale/")
    assert_accessible(phone_page)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
