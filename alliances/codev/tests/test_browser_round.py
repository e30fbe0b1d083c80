"""A whole co-development round in facilitator mode, in two browsers at once.

The animateur runs the six steps; the client (a participant) follows in another browser
context. Each sees the other's notes without reloading, the client saves an action plan
found again in "mes plans d'action", and both name their learnings.
"""

import datetime
import re
import threading

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from alliances.codev import services
from alliances.codev.models import ActionItem, Learning, Note, Round
from alliances.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _requests_take_turns_on_in_memory_sqlite(live_server):
    """Two browsers poll at once; on the test suite's in-memory SQLite every thread of the
    live server shares one connection (and its transaction state), so their requests
    take turns. Files or PostgreSQL give each thread its own connection: nothing to do."""
    if not (connection.vendor == "sqlite" and connection.is_in_memory_db()):
        yield
        return
    httpd = live_server.thread.httpd
    app = httpd.get_app()
    lock = threading.Lock()

    def one_at_a_time(environ, start_response):
        with lock:
            return app(environ, start_response)

    httpd.set_app(one_at_a_time)
    yield
    httpd.set_app(app)


@pytest.fixture
def second_page(browser, live_server):
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    yield page
    context.close()
    assert not errors, f"JavaScript errors or CSP violations on the page: {errors}"


def settled(page) -> None:
    """Wait until htmx has finished every request and swap: a control swapped in a moment
    ago is not wired yet, and Enter on it would post the form without htmx (the no-JS path,
    a whole new page) — faster than any person, not a bug of the page."""
    page.wait_for_function(
        "() => !document.querySelector("
        "'.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def click_control(page, control: str, step_after: int) -> None:
    """Press a facilitator's button from the keyboard; focus stays on the button's place."""
    settled(page)
    button = page.locator(f"#codev-{control}")
    button.focus()
    page.keyboard.press("Enter")
    page.locator(f"#codev-clock[data-step='{step_after}']").wait_for()
    expect(page.locator("#codev-clock :focus")).to_have_count(1)


def post_note(page, text: str) -> None:
    page.fill("#codev-note-text", text)
    page.locator("#codev-note-submit").click()
    page.locator("#codev-board").get_by_text(text).wait_for()


def test_a_whole_round_in_two_browsers(page, second_page, round_, animateur, participant, password):
    facilitator, client = page, second_page
    login(facilitator, email=animateur.email, password=password)
    login(client, email=participant.email, password=password)
    round_url = f"/parcours/codev/tours/{round_.pk}/"
    facilitator.goto(round_url)
    client.goto(round_url)
    assert facilitator.locator("h1").count() == 1
    assert client.locator("#codev-start").count() == 0  # the client does not run the round
    assert_accessible(facilitator)
    assert_accessible(client)

    # Step 1: started from the keyboard; the client's screen follows.
    facilitator.locator("#codev-start").focus()
    facilitator.keyboard.press("Enter")
    facilitator.locator("#codev-pause").wait_for()
    client.locator("#codev-timer[data-deadline]").wait_for()
    post_note(client, "Les entreprises ne viennent pas aux réunions")
    facilitator.locator("#codev-board").get_by_text(
        "Les entreprises ne viennent pas aux réunions"
    ).wait_for()

    # Pause and resume keep the step.
    click_control(facilitator, "pause", 0)
    facilitator.locator("#codev-resume").wait_for()
    client.locator("#codev-clock .badge", has_text="pause").wait_for()
    settled(facilitator)
    facilitator.locator("#codev-resume").click()
    facilitator.locator("#codev-pause").wait_for()

    # Steps 2 to 4: notes from both sides, seen on the other screen.
    for step in (1, 2, 3):
        click_control(facilitator, "next", step)
        client.locator(f"#codev-clock[data-step='{step}']").wait_for()
        # The step change is announced once to screen readers, in both browsers.
        for screen in (client, facilitator):
            expect(screen.locator("#codev-announce")).to_contain_text(str(step + 1))
        post_note(facilitator, f"Question de l'animateur à l'étape {step + 1}")
        client.locator("#codev-board").get_by_text(
            f"Question de l'animateur à l'étape {step + 1}"
        ).wait_for()
        post_note(client, f"Réponse du client à l'étape {step + 1}")
        facilitator.locator("#codev-board").get_by_text(
            f"Réponse du client à l'étape {step + 1}"
        ).wait_for()
    # Earlier steps are folded away on the board.
    assert client.locator("#codev-board details").count() == 3
    assert_accessible(client)

    # Step 5: the client writes the action plan.
    click_control(facilitator, "next", 4)
    client.locator("#codev-plan").wait_for()
    day = services.session_day(round_.session)
    # A date before the session is refused where it was typed, and nothing is saved.
    client.fill("#id_actions-0-title", "Rencontrer le club d'entreprises")
    client.fill("#id_actions-0-due", (day - datetime.timedelta(days=1)).isoformat())
    with client.expect_navigation():
        client.locator("#codev-plan-submit").click()
    client.locator("#codev-plan .error-summary").wait_for()
    assert client.locator("#id_actions-0-due").get_attribute("aria-invalid") == "true"
    assert not ActionItem.objects.exists()
    assert_accessible(client)
    client.fill("#id_actions-0-due", (day + datetime.timedelta(days=14)).isoformat())
    client.fill("#id_actions-1-title", "Inviter la CCI au prochain comité")
    client.fill("#id_actions-1-due", (day + datetime.timedelta(days=45)).isoformat())
    with client.expect_navigation():
        client.locator("#codev-plan-submit").click()
    client.locator(".message-success").wait_for()
    facilitator.locator("#codev-board").get_by_text("Rencontrer le club d'entreprises").wait_for()
    assert_accessible(client)

    # Step 6: everyone's learnings.
    click_control(facilitator, "next", 5)
    client.locator("#codev-learnings").wait_for()
    client.fill("#codev-learnings textarea", "Demander de l'aide plus tôt")
    with client.expect_navigation():
        client.locator("#codev-learning-submit").click()
    facilitator.fill("#codev-learnings textarea", "Laisser le client finir")
    with facilitator.expect_navigation():
        facilitator.locator("#codev-learning-submit").click()
    client.locator("#codev-board").get_by_text("Laisser le client finir").wait_for()

    # The end: a summary on both screens.
    click_control(facilitator, "finish", 6)
    client.locator("#codev-clock[data-step='6']").wait_for()
    client.get_by_role("heading", name="Round finished").or_(
        client.get_by_role("heading", name="Tour terminé")
    ).first.wait_for()
    assert_accessible(facilitator)
    assert_accessible(client)

    # The client's space lists the plan; an action ticked done from the keyboard.
    client.goto("/parcours/codev/mes-plans-d-action/")
    assert client.get_by_text("Rencontrer le club d'entreprises", exact=True).count() == 1
    assert client.get_by_text(round_.session.title).count() >= 1
    assert_accessible(client)
    item = ActionItem.objects.get(title="Rencontrer le club d'entreprises")
    client.locator(f"#action-{item.pk}-toggle").focus()
    client.keyboard.press("Enter")
    client.locator(f"#action-{item.pk} .badge").wait_for()

    round_ = Round.objects.get(pk=round_.pk)
    assert round_.is_finished and round_.finished_at is not None
    assert Note.objects.filter(round=round_).count() == 7
    assert ActionItem.objects.filter(round=round_).count() == 2
    assert ActionItem.objects.get(pk=item.pk).done
    assert set(Learning.objects.values_list("user__email", flat=True)) == {
        animateur.email,
        participant.email,
    }


def test_the_countdown_ticks_and_announces_the_end_of_the_time_box(
    page, phone_page, round_, participant, password
):
    # A one-minute first step, started 52 seconds ago: eight seconds are left at opening
    # (a margin for the login and the page load on a busy machine).
    services.round_timeboxes_update(round=round_, timeboxes=round_.timeboxes | {"expose": 1})
    with time_machine.travel(timezone.now() - datetime.timedelta(seconds=52), tick=True):
        services.round_start(round=round_)
    login(page, email=participant.email, password=password)
    page.goto(f"/parcours/codev/tours/{round_.pk}/")
    timer = page.locator("#codev-timer")
    assert timer.get_attribute("role") == "timer"
    first = timer.inner_text()
    assert first.startswith("00:0")
    expect(timer).to_have_text(re.compile("^\u2212"), timeout=20_000)
    page.locator(".codev-over-badge").wait_for(timeout=20_000)
    message = timer.get_attribute("data-over-message")
    expect(page.locator("#codev-announce")).to_have_text(message)
    assert_accessible(page)

    login(phone_page, email=participant.email, password=password)
    phone_page.goto(f"/parcours/codev/tours/{round_.pk}/")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(phone_page)


def test_the_animateur_starts_a_round_from_the_session_page(
    page, second_page, codev_session, animateur, participant, consultant, password
):
    login(page, email=animateur.email, password=password)
    page.goto(f"/parcours/seances/{codev_session.pk}/")
    panel = page.locator(".codev-panel")
    panel.get_by_label("Client").select_option(str(participant.pk))
    panel.locator("input[name=problem]").fill("Faire venir les entreprises")
    assert_accessible(page)
    with page.expect_navigation():
        panel.locator("button[type=submit]").click()
    round_ = Round.objects.get(session=codev_session)
    assert page.url.endswith(f"/parcours/codev/tours/{round_.pk}/")
    assert page.locator("h1").inner_text().endswith("Faire venir les entreprises")
    assert list(round_.consultants.all()) == [consultant]
    assert_accessible(page)

    # The session page now lists the round for the client too.
    login(second_page, email=participant.email, password=password)
    second_page.goto(f"/parcours/seances/{codev_session.pk}/")
    with second_page.expect_navigation():
        second_page.locator(".codev-panel").get_by_role("link").first.click()
    assert second_page.url.endswith(f"/parcours/codev/tours/{round_.pk}/")
