"""A binôme fills one bilan together in two browsers, sets a cible, adds three actions and
downloads the feuille de route as PDF (read back); axe-core on each page.

The participant starts the team's plan from the cohort space; both edit different criteria
under htmx (one with the keyboard only), each sees the other's level after a reload, and a
save made from a form older than the other's shows the conflict in place.
"""

import io

import pypdf
import pytest

from alliances.actors.models import Organisation
from alliances.diagnostics.models import Action, Bilan, Entry, Grid, Horizon, Plan
from alliances.diagnostics.selectors import target_levels
from alliances.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def save(page, criterion_id: int, level: int) -> None:
    section = page.locator(f"#criterion-{criterion_id}")
    section.locator(f"#c{criterion_id}-level-{level}").check()
    section.locator("button[type=submit]").click()


def test_a_binome_fills_a_bilan_sets_a_cible_and_a_trajectoire(
    browser, live_server, page, cohort, participant, partner, grid_version, password
):
    Grid.objects.update(is_default=False)
    Grid.objects.filter(pk=grid_version.grid_id).update(is_default=True)
    mairie = Organisation.objects.create(name="Mairie de Créteil", type="collectivite")

    # The participant starts the team's plan from the cohort space, then a T0 bilan.
    login(page, email=participant.email, password=password)
    page.goto(f"/parcours/{cohort.slug}/")
    with page.expect_navigation():
        page.locator(f"a[href='/bilans/promotion/{cohort.slug}/equipe/']").click()
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    plan = Plan.objects.get()
    assert page.url.endswith(f"/bilans/{plan.pk}/")
    assert_accessible(page)
    page.locator("#id_date").fill("2027-02-01")
    with page.expect_navigation():
        page.locator("form.plan-inline-form button[type=submit]").click()
    bilan = Bilan.objects.get()
    assert page.url.endswith(f"/bilans/bilan/{bilan.pk}/")
    assert_accessible(page)
    c1, c2, c3 = [
        e.criterion_id
        for e in Entry.objects.filter(bilan=bilan).order_by(
            "criterion__axis__position", "criterion__position"
        )[:3]
    ]

    other = browser.new_context(locale="fr-FR", base_url=live_server.url)
    other.set_default_timeout(10_000)
    binome = other.new_page()
    try:
        login(binome, email=partner.email, password=password)
        binome.goto(f"/bilans/bilan/{bilan.pk}/")
        assert_accessible(binome)

        # Each sets a different criterion; the participant cites an organisation of the
        # directory, the partner uses the keyboard only.
        page.locator(f"#c{c1}-org-q").fill("creteil")
        found = page.locator(f"#c{c1}-org-results input[type=checkbox]")
        found.wait_for()
        found.check()
        save(page, c1, 2)
        page.locator(f"#criterion-{c1} .entry-saved").wait_for()
        assert page.locator(f"#c{c1}-org-{mairie.pk}").is_checked()
        binome.locator(f"#c{c2}-level-2").focus()
        binome.keyboard.press("ArrowDown")  # moves the choice to level 3
        binome.locator(f"#criterion-{c2} button[type=submit]").focus()
        binome.keyboard.press("Enter")
        binome.locator(f"#criterion-{c2} .entry-saved").wait_for()
        assert binome.locator(f"#c{c2}-level-3").is_checked()
        assert_accessible(page)

        binome.reload()
        assert binome.locator(f"#c{c1}-level-2").is_checked()
        page.reload()
        assert page.locator(f"#c{c2}-level-3").is_checked()

        # Both have the third criterion's form at the same revision: the second save
        # shows the first one's level in place, and nothing is lost.
        save(page, c3, 1)
        page.locator(f"#criterion-{c3} .entry-saved").wait_for()
        save(binome, c3, 4)
        alert = binome.locator(f"#criterion-{c3} [role=alert]")
        alert.wait_for()
        assert "Paul Participant" in alert.inner_text()
        assert binome.locator(f"#criterion-{c3} .entry-their-level").inner_text() == "1"
        assert binome.locator(f"#c{c3}-level-4").is_checked()
        assert_accessible(binome)
        levels = dict(Entry.objects.filter(bilan=bilan).values_list("criterion_id", "level"))
        assert (levels[c1], levels[c2], levels[c3]) == (2, 3, 1)
        assert list(Entry.objects.get(bilan=bilan, criterion_id=c1).organisations.all()) == [mairie]
        binome.goto(f"/bilans/bilan/{bilan.pk}/historique/")
        assert binome.locator("tbody tr").count() == 3
        assert_accessible(binome)
    finally:
        other.close()

    # The cible at 36 months.
    page.goto(f"/bilans/{plan.pk}/cible/?horizon=m36")
    assert_accessible(page)
    codes = list(grid_version.criteria.order_by("pk").values_list("code", flat=True))
    page.select_option(f"#id_{codes[0]}", "3")
    page.select_option(f"#id_{codes[1]}", "4")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert target_levels(plan, Horizon.M36) == {codes[0]: 3, codes[1]: 4}
    assert_accessible(page)

    # Three actions on the trajectoire.
    page.goto(f"/bilans/{plan.pk}/trajectoire/")
    assert_accessible(page)
    for n, title in enumerate(["Cartographier les acteurs", "Réunir le copil", "Lancer l'appel"]):
        page.locator("#id_action-title").fill(title)
        page.locator("#id_action-start").fill(f"2027-0{n + 2}-01")
        page.locator("#id_action-due").fill(f"2027-0{n + 3}-15")
        page.select_option("#id_action-owner", str(partner.pk if n == 1 else participant.pk))
        if n == 0:  # a partner organisation from the directory
            page.locator("#action-partner-q").fill("mairie")
            page.locator("#action-partner-results input[type=checkbox]").check()
        with page.expect_navigation():
            page.locator("form.plan-form button[type=submit]").click()
    assert list(Action.objects.order_by("start").values_list("title", flat=True)) == [
        "Cartographier les acteurs",
        "Réunir le copil",
        "Lancer l'appel",
    ]
    assert page.locator("ol.plan-actions > li").count() == 3
    assert list(Action.objects.get(title="Cartographier les acteurs").partners.all()) == [mairie]
    assert_accessible(page)

    page.goto(f"/bilans/{plan.pk}/")
    assert page.locator("ol.plan-actions").count() == 0
    assert "Réunir le copil" in page.locator("#trajectoire-title + p + h3 + ul").inner_text()
    assert_accessible(page)
    page.goto("/bilans/")
    assert_accessible(page)

    # The feuille de route, downloaded as PDF from the plan page and read back.
    page.goto(f"/bilans/{plan.pk}/")
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger le PDF").or_(
            page.get_by_role("link", name="Download the PDF")
        ).first.click()
    text = "\n".join(
        pdf_page.extract_text()
        for pdf_page in pypdf.PdfReader(io.BytesIO(info.value.path().read_bytes())).pages
    )
    for expected in (plan.name, "Cartographier les acteurs", "Réunir le copil", "Lancer l"):
        assert expected in text, expected


def test_the_plan_pages_fit_a_phone(phone_page, plan, participant, password):
    from alliances.diagnostics import services

    bilan = services.bilan_create(
        plan=plan, moment="t0", date=plan.created_at.date(), user=participant
    )
    login(phone_page, email=participant.email, password=password)
    for url in (
        f"/bilans/bilan/{bilan.pk}/",
        f"/bilans/{plan.pk}/cible/",
        f"/bilans/{plan.pk}/trajectoire/",
        f"/bilans/bilan/{bilan.pk}/historique/",
    ):
        phone_page.goto(url)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, url
        assert_accessible(phone_page)
