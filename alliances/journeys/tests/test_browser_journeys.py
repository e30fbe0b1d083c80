"""The parcours pages in a browser: registering to a session, and axe-core on each page."""

import pytest

from alliances.journeys.models import CohortRole, Registration
from alliances.journeys.services import cohort_member_add, pilot_territory_add
from alliances.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_participant_registers_to_a_session(page, cohort, participant, password):
    session = cohort.sessions.order_by("start").first()
    login(page, email=participant.email, password=password)
    page.goto(f"/parcours/{cohort.slug}/")
    assert page.locator("h1").inner_text() == "Promotion test"
    assert_accessible(page)
    with page.expect_navigation():
        page.locator(f"#session-{session.pk} form button[type=submit]").click()
    page.locator(".message-success").wait_for()
    assert session.title in page.locator(".message-success").inner_text()
    assert Registration.objects.filter(session=session, user=participant).exists()
    # The button gave way to a notice; the page is still clean.
    assert page.locator(f"#session-{session.pk} form").count() == 0
    assert_accessible(page)


def test_public_pages_are_accessible(page, public_cohort, programme, participant, password):
    territory = pilot_territory_add(cohort=public_cohort, name="Val-de-Marne")
    cohort_member_add(cohort=public_cohort, user=participant, role=CohortRole.PARTICIPANT,
                      pilot_territory=territory)
    page.goto("/parcours/")
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    page.goto(f"/parcours/programme/{programme.slug}/")
    assert_accessible(page)
    page.goto(f"/parcours/{public_cohort.slug}/")
    assert_accessible(page)
    login(page, email=participant.email, password=password)
    page.goto("/parcours/")
    assert_accessible(page)
    page.goto(f"/parcours/{public_cohort.slug}/")
    page.get_by_role("heading", name="Val-de-Marne").wait_for()
    assert_accessible(page)
