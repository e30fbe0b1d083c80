"""A member of an association records an alliance with a company in the browser: partner
search, roles, the detail page, a follow-up note and an indicator added in place, the
timeline; then the alliance on the organisation's page and the territory's alliances.
Every page axe-clean, at phone width, and the main form by keyboard."""

import re

import pytest

from alliances.partnerships.models import Alliance
from alliances.testing.browser import assert_accessible, login

from .alliance_fixtures import *  # noqa: F403

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pick_partner(page, row: int, typed: str, role: str) -> None:
    """Type into partner row `row`, take the first suggestion, set the role."""
    field = page.locator(f"#id_partners-{row}-organisation")
    field.press_sequentially(typed, delay=30)
    option = page.locator("#organisation-choices option").first
    option.wait_for(state="attached")
    field.fill(option.get_attribute("value"))
    page.select_option(f"#id_partners-{row}-role", role)


def test_a_member_records_and_follows_an_alliance(page, participant, password, organisation,
                                                  company, vincennes):
    login(page, email=participant.email, password=password)
    page.goto("/alliances/")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("alliance", re.I)).filter(
        has=page.locator("xpath=self::a[contains(@href, 'nouvelle')]")).first.click()
    page.wait_for_url("**/alliances/nouvelle/")
    assert_accessible(page)
    page.fill("#id_title", "Mécénat de compétences : atelier pain")
    page.select_option("#id_type", "mecenat")
    page.select_option("#id_form", "partenariat")
    page.check("input[name=fragilities][value=precarite]")
    page.fill("#id_territory", "Vinc")
    page.wait_for_function(
        "() => document.querySelectorAll('#territory-choices option').length > 0")
    page.fill("#id_territory", "94080 — Vincennes")
    page.fill("#id_start_date", "2024-02-01")
    # The member's organisation is already the first partner, as porteur.
    assert organisation.name in page.input_value("#id_partners-0-organisation")
    pick_partner(page, 1, "boulang", "financeur")
    page.fill("#id_money_eur", "2500")
    page.fill("#id_description", "Des artisans forment des **bénévoles**.")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("alliance", re.I)).click()
    alliance = Alliance.objects.get()
    assert page.url.endswith(alliance.get_absolute_url())
    assert_accessible(page)
    partners = page.locator(".partner-list")
    assert "Boulangerie Martin" in partners.inner_text()
    assert organisation.name in partners.inner_text()

    # A follow-up note and a measure, swapped in place by htmx.
    page.fill("#id_note-date", "2024-08-05")
    page.fill("#id_note-text", "Premier atelier : douze personnes formées.")
    page.locator("#suivi form").first.locator("button[type=submit]").click()
    page.locator(".timeline").get_by_text("douze personnes formées").wait_for()
    page.select_option("#id_indicator-kind", "personnes_touchees")
    page.fill("#id_indicator-date", "2024-08-05")
    page.fill("#id_indicator-value", "12")
    page.locator("#suivi form").nth(1).locator("button[type=submit]").click()
    page.locator(".indicator table").get_by_text("12", exact=True).wait_for()
    page.fill("#id_indicator-date", "2025-01-10")
    page.fill("#id_indicator-value", "-4")
    page.locator("#suivi form").nth(1).locator("button[type=submit]").click()
    page.locator("#id_indicator-value[aria-invalid=true]").wait_for()
    assert page.locator(".checkpoints .checkpoint-done").count() == 1  # M6 has its note
    assert page.locator("h1").count() == 1
    assert_accessible(page)

    page.goto(organisation.get_absolute_url())
    page.locator(".organisation-alliances").get_by_text(alliance.title).wait_for()
    assert_accessible(page)
    page.goto(vincennes.get_absolute_url())
    page.locator(".ecosystem").get_by_role("link", name=re.compile("alliances du territoire|"
                                                                 "territory's alliances",
                                                                 re.I)).click()
    page.wait_for_url(re.compile(r"territoire=94080"))
    page.locator("#results").get_by_text(alliance.title).wait_for()


def test_the_form_by_keyboard(page, participant, password, organisation, company, vincennes):
    login(page, email=participant.email, password=password)
    page.goto("/alliances/nouvelle/")
    page.focus("#id_title")
    page.keyboard.type("Chantier d'insertion")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_type"
    page.keyboard.press("ArrowDown")  # a select moves on with the arrows
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_partners-1-organisation":
            break
    else:
        pytest.fail("the second partner is not reachable by keyboard")
    page.keyboard.type(str(company.pk))
    # Enter in a field submits; the missing start and territory are reported, located.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    summary.locator("a[href='#id_territory']").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#id_territory"
    assert page.locator("#id_territory").get_attribute("aria-invalid") == "true"
    assert_accessible(page)


def test_phone_width(page, participant, password, public_alliance):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/alliances/")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(public_alliance.get_absolute_url())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    login(page, email=participant.email, password=password)
    page.goto(public_alliance.get_absolute_url())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    page.goto("/alliances/nouvelle/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)


def test_filters_swap_the_results_in_place(page, public_alliance, private_alliance):
    page.goto("/alliances/")
    page.select_option("#id_type", "innovation_societale")
    page.wait_for_url(re.compile(r"type=innovation_societale"))
    page.locator("#results").get_by_text("0 alliance").wait_for()
    page.goto("/alliances/?statut=inconnu")
    assert page.locator("#results [role=alert] li").count() == 1
    assert_accessible(page)


def test_a_partner_row_is_added_in_the_form(page, participant, password, organisation,
                                            company, vincennes):
    login(page, email=participant.email, password=password)
    page.goto("/alliances/nouvelle/")
    rows = page.locator("#partners .partner-row")
    assert rows.count() == 4
    add = page.get_by_role("button", name="Ajouter un partenaire")
    add.click()
    assert rows.count() == 5
    # The new row's field has the focus, its label and its suggestions.
    assert page.evaluate("document.activeElement.id") == "id_partners-4-organisation"
    assert page.get_by_label("Organisation 5").count() == 1
    assert page.locator("#partner-rows-status").inner_text() == "Ligne de partenaire 5 ajoutée."
    pick_partner(page, 4, "boulang", "financeur")
    assert_accessible(page)

    page.fill("#id_title", "Un partenaire ajouté")
    page.select_option("#id_type", "mecenat")
    page.select_option("#id_form", "partenariat")
    page.fill("#id_territory", "94080")
    page.fill("#id_start_date", "2024-02-01")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("alliance", re.I)).click()
    alliance = Alliance.objects.get()
    assert {(p.organisation_id, p.role) for p in alliance.partners.all()} == {
        (organisation.pk, "porteur"), (company.pk, "financeur")}


def test_partner_rows_stop_at_twelve(page, participant, password, organisation):
    login(page, email=participant.email, password=password)
    page.goto("/alliances/nouvelle/")
    add = page.get_by_role("button", name="Ajouter un partenaire")
    for _ in range(8):
        add.click()
    assert page.locator("#partners .partner-row").count() == 12
    assert add.is_disabled()
