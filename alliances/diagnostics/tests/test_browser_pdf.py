"""The feuille de route in a browser: a participant opens the printable page (axe-clean, on
a desk and on a phone, and in print), downloads the PDF and the test reads it back; the
animateur asks for the promotion's ZIP and the status page turns into a download link."""

import io
import zipfile

import pypdf
import pytest

from alliances.diagnostics.pdf import CohortPdfs, cohort_pdfs_build, cohort_pdfs_save
from alliances.diagnostics.tests.pictures import fill_plan
from alliances.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_a_participant_prints_and_downloads_the_feuille_de_route(
    page, phone_page, plan, grid_version, participant, password
):
    fill_plan(plan, grid_version, owner=participant, partner_name="Centre social")
    login(page, email=participant.email, password=password)
    page.goto(f"/bilans/{plan.pk}/feuille-de-route/")
    radar = page.locator(f"svg#radar-{plan.pk}")
    assert radar.get_attribute("role") == "img"
    assert "Val-de-Marne" in radar.locator(f"title#radar-{plan.pk}-title").text_content()
    assert page.locator(".dg-radar .dg-table tbody tr").count() == 3
    assert page.locator(".dg-roadmap-list > li").count() == 6  # four actions, two milestones
    assert_accessible(page)
    assert page.locator(".dg-criteria table tbody tr").count() == 12  # 3 axes, 3 criteria each

    # The plan's page shows the radar too, the criteria folded under it.
    page.goto(f"/bilans/{plan.pk}/")
    page.locator(".dg-details summary").click()
    assert page.locator(".dg-details table").is_visible()
    assert_accessible(page)
    page.goto(f"/bilans/{plan.pk}/feuille-de-route/")

    # On paper the site's header is gone and each part starts its own page.
    page.emulate_media(media="print")
    assert page.locator("header.site-header").is_hidden()
    assert page.locator(".dg-screen-only").first.is_hidden()
    page.emulate_media(media="screen")

    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger le PDF").or_(
            page.get_by_role("link", name="Download the PDF")
        ).click()
    download = info.value
    assert download.suggested_filename == f"feuille-de-route-val-de-marne-{plan.pk}.pdf"
    text = pdf_text(download.path().read_bytes())
    assert "Val-de-Marne" in text and "Axe 1" in text and "Action 2" in text

    # On a phone, the page does not scroll sideways (the wide roadmap scrolls in its box).
    login(phone_page, email=participant.email, password=password)
    phone_page.goto(f"/bilans/{plan.pk}/feuille-de-route/")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    assert_accessible(phone_page)


def test_the_animateur_downloads_the_promotions_zip(
    page, settings, plan, grid_version, animateur, cohort, password
):
    # The task runs as soon as it is queued; the status page shows it done.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    fill_plan(plan, grid_version)
    login(page, email=animateur.email, password=password)
    page.goto(f"/bilans/promotion/{cohort.slug}/feuilles-de-route/")
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    link = page.locator("#cohort-pdfs-status a[download]")
    link.wait_for()
    assert_accessible(page)
    with page.expect_download() as info:
        link.click()
    archive = zipfile.ZipFile(info.value.path())
    [name] = archive.namelist()
    assert "Val-de-Marne" in pdf_text(archive.read(name))


def test_the_status_page_follows_the_worker(page, plan, grid_version, animateur, cohort, password):
    """A request waiting for the worker: the page polls, and turns into a download link
    once the worker has built the ZIP."""
    fill_plan(plan, grid_version)
    state = CohortPdfs(
        id="1" * 32,
        cohort_id=cohort.pk,
        requested_by=animateur.pk,
        requested_at="2026-11-26T01:00:00+00:00",
        language="fr",
        total=1,
    )
    cohort_pdfs_save(state)
    login(page, email=animateur.email, password=password)
    page.goto(f"/bilans/promotion/{cohort.slug}/feuilles-de-route/{state.id}/")
    assert page.locator("#cohort-pdfs-status progress").count() == 1
    assert_accessible(page)
    cohort_pdfs_build(cohort_id=cohort.pk, request_id=state.id)  # what the worker does
    link = page.locator("#cohort-pdfs-status a[download]")
    link.wait_for(timeout=8_000)  # htmx polls every 2 s
    assert page.locator("#cohort-pdfs-status progress").count() == 0
    assert_accessible(page)
