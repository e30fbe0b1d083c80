"""Notifications in a browser: the header count, following one, marking all read, and
choosing the e-mail frequency; axe-core clean on each page."""

import pytest

from alliances.notifications.models import DigestPreference, Notification, NotificationKind
from alliances.notifications.services import notify
from alliances.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_participant_reads_notifications_and_chooses_weekly_mails(
    page, cohort, participant, animateur, password
):
    # The links point at the home page: this test is about the notifications, not about
    # the pages they lead to.
    for title in ("Antoine a répondu dans « Budget »", "Nouveau fil « Calendrier »"):
        notify(recipients=[participant], kind=NotificationKind.REPLY, title=title,
               url="/?depuis=notification", actor=animateur, cohort=cohort)
    notify(recipients=[participant], kind=NotificationKind.MENTION, title="Mention hors promo",
           url="/parcours/")

    login(page, email=participant.email, password=password)
    header_link = page.locator(".site-header a.notifications-link")
    assert header_link.locator(".notifications-count").inner_text() == "3"

    with page.expect_navigation():
        header_link.click()
    assert page.url.endswith("/notifications/")
    assert page.locator("h1").count() == 1
    assert page.locator(".notification-unread").count() == 3
    assert_accessible(page)

    with page.expect_navigation():
        page.get_by_role("link", name="Nouveau fil « Calendrier »").click()
    assert page.url.endswith("/?depuis=notification")
    assert header_link.locator(".notifications-count").inner_text() == "2"

    page.goto("/notifications/")
    assert page.locator(".notification-unread").count() == 2
    with page.expect_navigation():
        page.locator("main form.inline-form button[type=submit]").click()
    page.locator(".message-success").wait_for()
    assert page.locator(".notification-unread").count() == 0
    assert header_link.locator(".notifications-count").count() == 0
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert_accessible(page)

    page.goto("/notifications/preferences/")
    assert page.locator("input[value=daily]").is_checked()
    assert_accessible(page)
    page.locator("input[value=weekly]").check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.locator(".message-success").wait_for()
    assert page.locator("input[value=weekly]").is_checked()
    assert_accessible(page)
    assert DigestPreference.objects.get(user=participant).frequency == "weekly"
