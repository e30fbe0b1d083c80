"""The animateur's pages in a browser, the issue's path: create a cohort from the default
programme, invite two people, move a phase, create a session, add a support, see its page."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from alliances.journeys.models import (
    Cohort,
    CohortMember,
    CohortRole,
    Invitation,
    PilotTerritory,
    Session,
    SessionMaterial,
)
from alliances.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def _mail_now(settings, tmp_path):
    """Run the mail task at once, in the request; uploads in a temporary directory."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path


def _submit(page, form="main form") -> None:
    with page.expect_navigation():
        page.locator(f"{form} button[type=submit]").first.click()


def test_the_animateur_creates_a_cohort_invites_moves_a_phase_and_plans_a_session(
    page, programme, animateur, password, mailoutbox
):
    login(page, email=animateur.email, password=password)

    # 1. A cohort from the default programme.
    page.goto("/parcours/animation/nouvelle-promotion/")
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    page.select_option("select[name=programme]", str(programme.pk))
    page.fill("input[name=name]", "Promotion printemps 2027")
    page.fill("input[name=start]", "2027-03-01")
    assert page.locator("select[name=visibility]").input_value() == "private"
    _submit(page)
    cohort = Cohort.objects.get(name="Promotion printemps 2027")
    assert page.url.endswith(f"/parcours/{cohort.slug}/animation/")
    page.locator(".message-success").wait_for()
    assert CohortMember.objects.get(cohort=cohort, user=animateur).role == CohortRole.ANIMATEUR
    assert cohort.sessions.count() > 5
    assert_accessible(page)

    # 2. Two people invited from the console's link.
    with page.expect_navigation():
        page.get_by_role("link", name="Invite people").or_(
            page.get_by_role("link", name="Inviter des personnes")
        ).first.click()
    page.fill("textarea[name=emails]", "lea@example.org\nmarc@example.org")
    _submit(page)
    page.locator(".message-success").wait_for()
    assert sorted(Invitation.objects.filter(cohort=cohort).values_list("email", flat=True)) == [
        "lea@example.org",
        "marc@example.org",
    ]
    assert sorted(m.to[0] for m in mailoutbox) == ["lea@example.org", "marc@example.org"]

    # 3. The settings: a phase moved outside the cohort is refused, then a good move saved.
    page.goto(f"/parcours/{cohort.slug}/animation/reglages/")
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    first = cohort.phases.order_by("position").first()
    start_input = page.locator(f"input[name='phase-{first.pk}-start']")
    end_input = page.locator(f"input[name='phase-{first.pk}-end']")
    start_input.fill("2027-02-20")
    _submit(page, "main form:has(input[value=save])")
    page.locator(".error-summary[role=alert]").wait_for()
    assert start_input.get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    first.refresh_from_db()
    assert first.start == datetime.date(2027, 3, 1)
    new_end = first.end - datetime.timedelta(days=4)
    start_input.fill("2027-03-01")
    end_input.fill(new_end.isoformat())
    _submit(page, "main form:has(input[value=save])")
    page.locator(".message-success").wait_for()
    first.refresh_from_db()
    assert first.end == new_end
    assert_accessible(page)

    # 4. A pilot territory on the teams page.
    page.goto(f"/parcours/{cohort.slug}/animation/equipes/")
    assert_accessible(page)
    page.fill("input[name=name]", "Créteil")
    page.fill("input[name=departement]", "94")
    _submit(page, "main form:has(input[value=territory])")
    page.locator(".message-success").wait_for()
    assert PilotTerritory.objects.filter(cohort=cohort, name="Créteil").exists()

    # 5. A session, in Paris time; an end before its start is refused first.
    page.goto(f"/parcours/{cohort.slug}/animation/seances/nouvelle/")
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    count = Session.objects.filter(cohort=cohort).count()
    page.select_option("select[name=kind]", "apport_theorique")
    page.fill("input[name=title]", "Atelier cartographie des acteurs")
    page.fill("input[name=place]", "Maison des associations, Créteil")
    page.fill("input[name=start]", "2027-03-10T14:00")
    page.fill("input[name=end]", "2027-03-10T13:00")
    page.fill("textarea[name=agenda]", "- accueil\n- **atelier** en binôme")
    page.fill("input[name=capacity]", "12")
    page.fill("input[name=speakers_text]", "Zoé Témoin")
    _submit(page)
    page.locator(".error-summary[role=alert]").wait_for()
    assert page.locator("#id_end").get_attribute("aria-invalid") == "true"
    assert Session.objects.filter(cohort=cohort).count() == count
    assert_accessible(page)
    page.fill("input[name=end]", "2027-03-10T16:30")
    _submit(page)
    page.locator(".message-success").wait_for()
    session = Session.objects.get(cohort=cohort, title="Atelier cartographie des acteurs")
    assert session.start == datetime.datetime(2027, 3, 10, 14, tzinfo=PARIS)
    assert page.url.endswith(f"/parcours/seances/{session.pk}/modifier/")
    assert_accessible(page)

    # 6. A support (a link) on the edit page, then the session's own page.
    page.fill("input[name=material-title]", "Carte des acteurs")
    page.fill("input[name=material-url]", "https://example.org/carte")
    _submit(page, "main form[enctype]")
    page.locator(".message-success").wait_for()
    assert SessionMaterial.objects.filter(session=session).count() == 1
    page.goto(f"/parcours/seances/{session.pk}/")
    assert page.locator("h1").inner_text() == "Atelier cartographie des acteurs"
    assert page.locator(".session-agenda strong").inner_text() == "atelier"
    assert page.get_by_role("link", name="Carte des acteurs").count() == 1
    assert "14:00" in page.locator(".session-facts").inner_text()
    assert_accessible(page)

    # 7. The delete confirmation page.
    page.goto(f"/parcours/seances/{session.pk}/supprimer/")
    assert_accessible(page)
    _submit(page)
    assert not Session.objects.filter(pk=session.pk).exists()


def test_a_participant_registers_and_unregisters_on_the_session_page(
    page, cohort, participant, password
):
    session = cohort.sessions.order_by("start").first()
    login(page, email=participant.email, password=password)
    page.goto(f"/parcours/seances/{session.pk}/")
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    _submit(page, "form[action$='/inscription/']")
    page.locator(".message-success").wait_for()
    assert session.registrations.filter(user=participant).exists()
    page.goto(f"/parcours/seances/{session.pk}/")
    _submit(page, "form[action$='/desinscription/']")
    page.locator(".message-success").wait_for()
    assert page.url.endswith(f"/parcours/seances/{session.pk}/")
    assert not session.registrations.filter(user=participant).exists()
    assert_accessible(page)


def test_anyone_sees_a_public_cohorts_session_page(page, public_cohort):
    session = public_cohort.sessions.order_by("start").first()
    page.goto(f"/parcours/seances/{session.pk}/")
    assert page.locator("h1").inner_text() == session.title
    assert_accessible(page)
