"""The feedback form in a browser: a rating chosen with the keyboard, axe-clean."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from alliances.journeys.models import Feedback, Session
from alliances.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARIS = ZoneInfo("Europe/Paris")


def test_a_participant_rates_a_session_with_the_keyboard(page, cohort, participant, password):
    later = datetime.datetime.combine(
        cohort.start + datetime.timedelta(days=150), datetime.time(12), tzinfo=PARIS
    )
    held = Session.objects.filter(cohort=cohort, end__lte=later).order_by("start", "pk").first()
    # The clock ticks from five months into the cohort, for the live server too.
    with time_machine.travel(later, tick=True):
        login(page, email=participant.email, password=password)
        page.goto(f"/parcours/seances/{held.pk}/avis/")
        assert page.locator("h1").count() == 1
        assert page.locator("fieldset legend").count() == 1
        assert page.locator("input[type=radio][name=rating]").count() == 5
        assert_accessible(page)

        # Arrow keys move the choice within the radio group.
        page.locator("#rating-1").focus()
        page.keyboard.press("Space")
        assert page.locator("#rating-1").is_checked()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        assert page.locator("#rating-4").is_checked()
        assert page.evaluate("document.activeElement.id") == "rating-4"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "feedback-comment"
        page.keyboard.type("Des échanges utiles entre territoires.")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()

        page.locator(".message-success").wait_for()
        assert page.url.endswith(f"/parcours/{cohort.slug}/#session-{held.pk}")
        assert_accessible(page)
    feedback = Feedback.objects.get(session=held, user=participant)
    assert (feedback.rating, feedback.comment) == (4, "Des échanges utiles entre territoires.")
