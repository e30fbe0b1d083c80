"""Individual work in a browser: a participant hands in, the animateur validates with feedback.

Also axe-core on the timeline picture, the territory page and the end report.
"""

import pytest

from alliances.journeys.models import Submission, SubmissionStatus
from alliances.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_participant_hands_in_and_the_animateur_validates(
    browser, live_server, page, cohort, participant, animateur, password
):
    assignment = cohort.assignments.order_by("due", "pk").first()
    login(page, email=participant.email, password=password)
    page.goto(f"/parcours/{cohort.slug}/")
    svg = page.locator("svg.tl-svg")
    assert svg.locator("g.tl-drawing").get_attribute("role") == "img"
    assert svg.locator("title#tl-title").text_content().strip().endswith("Promotion test")
    assert svg.locator("a.tl-marker").count() >= cohort.sessions.count()
    assert_accessible(page)

    with page.expect_navigation():
        page.locator("#todos-title + ul a", has_text=assignment.title).first.click()
    assert page.url.endswith(f"/parcours/travaux/{assignment.pk}/")
    assert_accessible(page)
    page.locator("textarea[name=text]").fill("Notre bilan de départ.")
    page.locator("input[name=files]").set_input_files(
        {"name": "bilan.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.locator(".message-success").wait_for()
    assert page.get_by_role("link", name="bilan.pdf").count() == 1
    assert_accessible(page)
    submission = Submission.objects.get(assignment=assignment, user=participant)
    assert submission.status == SubmissionStatus.RENDU

    # The animateur, in another browser context, reviews under htmx.
    other = browser.new_context(locale="fr-FR", base_url=live_server.url)
    review = other.new_page()
    try:
        login(review, email=animateur.email, password=password)
        review.goto(f"/parcours/travaux/{assignment.pk}/rendus/")
        row = review.locator(f"#review-{participant.pk}")
        assert "Notre bilan de départ." in row.inner_text()
        assert row.get_by_role("link", name="bilan.pdf").count() == 1
        assert_accessible(review)
        row.locator("textarea").fill("Très clair, merci.")
        row.locator("input[type=radio][value=valide]").check()
        row.locator("button[type=submit]").click()
        review.locator(f"#review-{participant.pk} [role=status]").wait_for()
        assert_accessible(review)
    finally:
        other.close()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.VALIDE

    page.reload()
    assert "Très clair, merci." in page.locator(".work-feedback").inner_text()
    assert page.locator("input[name=files]").count() == 0
    assert_accessible(page)


def test_territory_and_report_pages_are_accessible(page, cohort, animateur, password):
    territory = cohort.pilot_territories.get()
    login(page, email=animateur.email, password=password)
    page.goto(f"/parcours/{cohort.slug}/territoires/{territory.pk}/")
    assert page.locator("h1").inner_text() == territory.name
    assert_accessible(page)
    page.goto(f"/parcours/{cohort.slug}/bilan-de-promotion/")
    assert page.locator("#report-codev").count() == 1
    assert_accessible(page)


def test_the_picture_fits_a_phone(phone_page, cohort, participant, password):
    login(phone_page, email=participant.email, password=password)
    phone_page.goto(f"/parcours/{cohort.slug}/")
    box = phone_page.locator("svg.tl-svg").bounding_box()
    assert box and box["width"] >= 300
    # Only the picture's own box scrolls sideways, never the page.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(phone_page)
