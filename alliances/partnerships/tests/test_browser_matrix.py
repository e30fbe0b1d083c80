"""Who works with whom in a browser: the tables, the national figure linking to the
observatory's dashboard, a missing link leading to the actors of the missing type; axe, and
a phone's width."""

import pytest

from alliances.testing.browser import assert_accessible

from .test_matrix import URL, ecosystem, maires  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_matrix_and_a_missing_link(page, ecosystem, maires):  # noqa: F811
    page.goto(URL)
    counts = page.get_by_role("table").first
    assert counts.locator("caption").inner_text().startswith("Nombre d'alliances")
    assert counts.locator("tbody tr").count() == 3
    row = counts.locator("tbody tr", has=page.get_by_role("rowheader", name="Association"))
    assert row.locator("td").all_inner_texts() == ["1", "1", "1"]
    assert_accessible(page)

    suggestion = page.locator(".matrix-suggestions > li").first
    assert suggestion.inner_text().startswith(
        "Aucune alliance encore entre les entreprises et les collectivités territoriales")
    with page.expect_navigation():
        suggestion.get_by_role("link", name="Les entreprises du territoire").click()
    assert page.url.endswith("/territoires/departement/94/?type=entreprise#results")
    page.locator("#results").get_by_text("Boulangerie Martin").wait_for()
    assert page.locator("#results").get_by_text("Mairie de Créteil").count() == 0


def test_the_national_figure_leads_to_the_observatory(page, ecosystem, maires):  # noqa: F811
    page.goto(URL)
    comparison = page.locator(".matrix-comparison")
    assert comparison.locator("tbody tr").count() == 2
    with page.expect_navigation():
        comparison.get_by_role("link").first.click()
    assert f"/observatoire/vagues/{maires.pk}/" in page.url and "question=q14" in page.url


def test_the_matrix_on_a_phone(phone_page, ecosystem, maires):  # noqa: F811
    phone_page.goto(URL)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone ({width}px wide)"
    assert_accessible(phone_page)
