"""The error pages, as a person sees them: in French, accessible, a way back home."""

import pytest
from django.db import OperationalError
from django.test import RequestFactory
from django.utils import translation

from alliances.core.views import server_error
from alliances.testing.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_404_page_is_in_french_accessible_and_leads_home(page):
    response = page.goto("/acteurs/999999999/")
    assert response.status == 404
    assert page.inner_text("h1") == "Page introuvable"
    assert_accessible(page)
    page.get_by_role("link", name="Retour à l’accueil").click()
    page.wait_for_url("**/")
    assert page.locator("h1").count() == 1
    # Chromium reports the 404 document itself on the console: expected here.
    page.js_errors[:] = [e for e in page.js_errors if "status of 404" not in e]


@pytest.mark.parametrize(("error", "heading"), [
    (OperationalError("the server closed the connection"),
     "La plateforme est momentanément indisponible"),
    (ValueError("a bug"), "Une erreur est survenue de notre côté"),
])
def test_the_503_and_500_pages_are_in_french_and_accessible(page, error, heading):
    with translation.override("fr"):
        try:
            raise error
        except type(error):
            html = server_error(RequestFactory().get("/")).content.decode()
    page.goto("/")  # the site's origin, for the style sheet
    page.set_content(html)
    assert page.inner_text("h1") == heading
    assert "the server closed" not in page.content() and "a bug" not in page.content()
    assert_accessible(page)
