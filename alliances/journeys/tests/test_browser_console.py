"""The animateur's console in a browser: attendance on a past session moves the rate."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from alliances.journeys.models import Attendance, Session
from alliances.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARIS = ZoneInfo("Europe/Paris")


def test_the_animateur_takes_attendance_and_sees_the_rate(
    page, cohort, animateur, participant, password
):
    later = datetime.datetime.combine(
        cohort.start + datetime.timedelta(days=150), datetime.time(12), tzinfo=PARIS
    )
    held = list(Session.objects.filter(cohort=cohort, end__lte=later).order_by("start", "pk"))
    # The clock ticks from five months into the cohort, for the live server too.
    with time_machine.travel(later, tick=True):
        login(page, email=animateur.email, password=password)
        page.goto(f"/parcours/{cohort.slug}/animation/")
        assert page.locator("h1").count() == 1
        rate = page.locator(".console-figures dd").first
        assert rate.inner_text().replace("\xa0", " ") == "0 %"
        assert page.get_by_role("cell", name="Val-de-Marne").count() == 1
        assert_accessible(page)

        with page.expect_navigation():
            page.locator(f"#session-{held[0].pk} a.take-attendance").click()
        assert page.url.endswith(f"/parcours/seances/{held[0].pk}/presences/")
        checkbox = page.get_by_label(str(participant))
        assert not checkbox.is_checked()
        assert_accessible(page)
        checkbox.check()
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()

        page.locator(".message-success").wait_for()
        assert page.url.endswith(f"/parcours/{cohort.slug}/animation/")
        expected = f"{round(100 / len(held))} %"
        assert rate.inner_text().replace("\xa0", " ") == expected
        assert_accessible(page)

        # The form remembers who was there.
        page.goto(f"/parcours/seances/{held[0].pk}/presences/")
        assert page.get_by_label(str(participant)).is_checked()
    assert Attendance.objects.get(session=held[0], user=participant).present
