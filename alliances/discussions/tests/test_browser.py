"""The issue's path in a browser: a participant starts a thread mentioning the animateur,
the animateur sees it in their notifications, and the daily digest carries it."""

import datetime
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core import mail

from alliances.discussions.models import Follow, Thread
from alliances.notifications.services import digest_send
from alliances.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def second_page(browser, live_server) -> Iterator:
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_a_thread_with_a_mention_produces_a_digest(
    page, second_page, cohort, participant, animateur, password
):
    login(page, email=participant.email, password=password)
    page.goto(f"/parcours/{cohort.slug}/discussions/")
    assert page.locator("h1").count() == 1
    assert (
        page.get_by_text("Aucune discussion").count()
        + page.get_by_text("No discussion yet.").count()
        == 1
    )
    assert_accessible(page)

    page.locator(".discussion-handles summary").click()
    assert page.get_by_text("@antoine-animateur").is_visible()
    page.locator("#new-thread-title").fill("Cartographier les acteurs du quartier")
    page.locator("#new-thread-body").fill(
        "Bonjour @antoine-animateur, pouvez-vous relire notre **carte** ?"
    )
    with page.expect_navigation():
        page.locator(".discussion-new button[type=submit]").click()
    thread = Thread.objects.get()
    assert page.url.endswith(f"/parcours/discussions/fils/{thread.pk}/")
    assert page.locator(".discussion-body strong").inner_text() == "carte"
    assert_accessible(page)

    # The author follows the thread; the toggle works in place (htmx).
    toggle = page.locator(".discussion-follow button")
    toggle.click()
    page.locator(".discussion-follow input[name=follow][value='1']").wait_for(state="attached")
    assert not Follow.objects.filter(thread=thread, user=participant).exists()
    page.locator(".discussion-follow button").click()
    page.locator(".discussion-follow input[name=follow][value='0']").wait_for(state="attached")
    assert Follow.objects.filter(thread=thread, user=participant).exists()

    # The list shows it, read (the author wrote it).
    page.goto(f"/parcours/{cohort.slug}/discussions/")
    assert page.get_by_role("link", name="Cartographier les acteurs du quartier").count() == 1
    assert page.locator(".discussion-unread").count() == 0
    assert_accessible(page)

    login(second_page, email=animateur.email, password=password)
    second_page.goto("/notifications/")
    assert second_page.get_by_text("Cartographier les acteurs du quartier").count() == 1
    # One notification (the mention), not a second one for the new thread.
    assert second_page.locator("main li", has_text="Cartographier").count() == 1

    mail.outbox = []
    now = datetime.datetime(2027, 1, 5, 7, tzinfo=datetime.UTC)
    assert digest_send(frequency="daily", now=now) == 1
    (message,) = [m for m in mail.outbox if m.to == [animateur.email]]
    link = f"{settings.SITE_URL.rstrip('/')}/parcours/discussions/fils/{thread.pk}/"
    body = " ".join(message.body.split())  # the plain text wraps its lines under 78 bytes
    assert "Cartographier les acteurs du quartier" in body
    assert link in message.body
    html = message.alternatives[0].content
    assert "Cartographier les acteurs du quartier" in " ".join(html.split()) and link in html

    # The animateur follows the notification to the thread and moderates the post.
    with second_page.expect_navigation():
        second_page.get_by_role("link", name="Cartographier les acteurs du quartier").click()
    assert f"/parcours/discussions/fils/{thread.pk}/" in second_page.url
    assert_accessible(second_page)
    with second_page.expect_navigation():
        second_page.locator(".discussion-post-actions a[href$='/masquer/']").click()
    assert_accessible(second_page)
    second_page.locator("textarea, input[name=reason]").first.fill("Test de modération")
    with second_page.expect_navigation():
        second_page.locator("main form button[type=submit]").click()
    second_page.locator(".discussion-hidden-note").wait_for()
    assert_accessible(second_page)
    page.reload()
    assert page.locator(".discussion-hidden-note").count() == 0  # the list page
    page.goto(f"/parcours/discussions/fils/{thread.pk}/")
    assert page.locator(".discussion-hidden-note").count() == 1
    assert page.locator(".discussion-body strong").count() == 0


def test_a_thread_reads_on_a_phone(phone_page, cohort, participant, intervenant, password):
    from alliances.discussions.services import post_create, thread_create

    thread = thread_create(
        cohort=cohort,
        author=intervenant,
        title="Ressources",
        body="Voir https://example.org/"
        + "tres-long-chemin-" * 12
        + "\n\n```\n"
        + "x" * 200
        + "\n```",
    )
    post_create(thread=thread, author=participant, body="Merci @ines-intervenante !")
    login(phone_page, email=participant.email, password=password)
    phone_page.goto(f"/parcours/discussions/fils/{thread.pk}/")
    assert phone_page.locator(".discussion-post").count() == 2
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert_accessible(phone_page)
