"""Mes calendriers in a browser: a participant finds the address to subscribe to."""

import pytest

from alliances.journeys.models import CalendarToken
from alliances.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_participant_finds_the_calendar_addresses(page, live_server, cohort, participant,
                                                    password):
    login(page, email=participant.email, password=password)
    page.goto("/parcours/calendriers/")
    assert page.locator("h1").count() == 1
    token = CalendarToken.objects.active().get(user=participant, cohort=cohort)
    field = page.locator(f"#calendar-{cohort.pk}")
    assert field.input_value() == f"{live_server.url}/parcours/calendrier/{token.token}.ics"
    assert field.get_attribute("readonly") is not None
    assert page.locator(f"label[for=calendar-{cohort.pk}]").count() == 1
    assert page.locator("a[href^='webcal://']").count() == 2  # personal + this cohort
    assert_accessible(page)

    # A new address: the page shows it, the old one stops working.
    with page.expect_navigation():
        page.locator(f"#calendar-{cohort.pk}").locator(
            "xpath=ancestor::section").locator("button[type=submit]").click()
    new = CalendarToken.objects.active().get(user=participant, cohort=cohort)
    assert new.token != token.token
    assert page.locator(f"#calendar-{cohort.pk}").input_value().endswith(f"/{new.token}.ics")
    old = page.request.get(f"/parcours/calendrier/{token.token}.ics")
    assert old.status == 404
    assert page.request.get(f"/parcours/calendrier/{new.token}.ics").status == 200
