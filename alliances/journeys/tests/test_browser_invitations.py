"""Invitations in a browser: the animateur invites two people, one accepts from the mail."""

import re

import pytest

from alliances.journeys.models import CohortMember, CohortRole, Invitation
from alliances.journeys.services import cohort_invite
from alliances.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _mail_now(settings):
    """Run the mail task at once, in the request, instead of through the worker."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def test_the_animateur_invites_two_people_and_one_accepts(
    page, browser, live_server, cohort, animateur, outsider, password, mailoutbox
):
    login(page, email=animateur.email, password=password)
    page.goto(f"/parcours/{cohort.slug}/animation/inviter/")
    assert page.locator("h1").count() == 1
    assert_accessible(page)

    # A malformed address: the error is on the field, listed at the top, nothing is sent.
    page.fill("textarea[name=emails]", "olga@example.org, pas-une-adresse")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.locator(".error-summary[role=alert]").wait_for()
    assert page.locator("#id_emails").get_attribute("aria-invalid") == "true"
    assert "pas-une-adresse" in page.locator(".error-summary").inner_text()
    assert_accessible(page)
    assert not Invitation.objects.exists()

    page.fill("textarea[name=emails]", f"{outsider.email}\nlea@example.org")
    page.select_option("select[name=role]", CohortRole.PARTICIPANT)
    page.select_option("select[name=pilot_territory]", label="Val-de-Marne")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith(f"/parcours/{cohort.slug}/")
    page.locator(".message-success").wait_for()
    assert sorted(m.to[0] for m in mailoutbox) == ["lea@example.org", outsider.email]

    # The pending invitations are listed under the form, in a table with a caption.
    page.goto(f"/parcours/{cohort.slug}/animation/inviter/")
    assert page.locator("table caption").count() == 1
    assert page.locator("table tbody tr").count() == 2
    assert_accessible(page)

    # Olga, signed in another browser, follows the link in her mail.
    mail = next(m for m in mailoutbox if m.to == [outsider.email])
    link = re.search(r"/parcours/invitation/[\w-]+/", mail.body).group(0)
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.set_default_timeout(10_000)
    try:
        other = context.new_page()
        login(other, email=outsider.email, password=password)
        response = other.goto(link)
        assert response.headers["referrer-policy"] == "strict-origin"
        assert "Promotion test" in other.locator("h1").inner_text()
        assert "Antoine Animateur" in other.locator("main").inner_text()
        assert_accessible(other)
        with other.expect_navigation():
            other.locator("main form button[type=submit]").click()
        assert other.url.endswith(f"/parcours/{cohort.slug}/")
        other.locator(".message-success").wait_for()
        assert other.locator("h1").inner_text() == "Promotion test"
        assert_accessible(other)
    finally:
        context.close()
    member = CohortMember.objects.get(cohort=cohort, user=outsider)
    assert member.role == CohortRole.PARTICIPANT
    assert member.pilot_territory.name == "Val-de-Marne"


def test_anonymous_visitors_see_the_invitation_and_how_to_accept(
    page, cohort, animateur, mailoutbox
):
    (invitation,) = cohort_invite(cohort=cohort, emails="lea@example.org",
                                  role=CohortRole.PARTICIPANT, invited_by=animateur)
    page.goto(f"/parcours/invitation/{invitation.token}/")
    main = page.locator("main")
    assert main.locator("a[href*='/compte/login/?next=']").count() == 1
    assert main.locator("a[href*='/compte/signup/?next=']").count() == 1
    assert main.locator("form").count() == 0
    assert_accessible(page)
    # Leaving the page tells the next one at most the site's origin, never the token.
    with page.expect_request(lambda request: "/compte/login/" in request.url) as sent:
        main.locator("a[href*='/compte/login/']").click()
    assert invitation.token not in (sent.value.headers.get("referer") or "")
