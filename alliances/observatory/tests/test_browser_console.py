"""The analyst's main path in a real browser: sign in, create a survey, create its wave from
an XLSForm (its respondent attributes ticked among the questions the chosen file offers),
import a CSV of responses and watch the import's progress end (the batch's fragment polled
by htmx while the worker runs), rake to margins, publish, open the dashboard. axe-core on
each console page.

The worker is the real task function's body (`imports.batch_run`), called by the test
while the page polls: the database task queue has no worker in a test, so the batch waits
until the test runs it, as it would wait for `alliances serve`'s worker.

Controls are found by their form's address or their name, not their French label.
"""

import csv
import random

import pytest

from alliances.observatory.imports import batch_run
from alliances.observatory.models import ResponseBatch, Survey, Wave
from alliances.observatory.tests.xlsforms import PARTNERS, sample_xlsform_bytes
from alliances.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REGIONS = ("11", "53", "84")
SIZES = ("moins_1000", "1000_3500", "3500_10000", "plus_10000")


@pytest.fixture(autouse=True)
def _media_and_queue(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default"]}}


def responses_csv(path, n: int = 80) -> None:
    rng = random.Random(4)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["region", "taille_commune", "q4", "q14", "q20", "q30", "poids"])
        for i in range(n):
            partners = [code for code, _label in PARTNERS if rng.random() < 0.4]
            writer.writerow([
                REGIONS[i % 3], SIZES[i % 4],
                rng.choice(["oui", "plutot_oui", "plutot_non", "non"]),
                " ".join(partners), rng.randint(0, 12), "" if i % 5 else "Très bien",
                f"{rng.uniform(0.5, 2):.3f}",
            ])


def margins_csv(path) -> None:
    path.write_text(
        "variable,category,share\n"
        "region,11,40\nregion,53,25\nregion,84,35\n"
        "taille_commune,moins_1000,55\ntaille_commune,1000_3500,25\n"
        "taille_commune,3500_10000,12\ntaille_commune,plus_10000,8\n",
        encoding="utf-8",
    )


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


def test_an_analyst_goes_from_an_xlsform_to_a_published_wave(page, analyste, password,
                                                            tmp_path):
    login(page, email=analyste.email, password=password)

    # The console: a new survey.
    page.goto("/observatoire/console/")
    assert_accessible(page)
    page.fill("#id_slug", "barometre-maires")
    page.fill("#id_title", "Baromètre des maires")
    page.select_option("#id_population", "maires")
    page.check("input[name=scope][value=national]")
    submit(page, "#survey-form button[type=submit]")
    assert page.url.endswith("/observatoire/console/enquetes/barometre-maires/")
    survey = Survey.objects.get(slug="barometre-maires")
    assert survey.owner_id == analyste.pk
    assert_accessible(page)

    # Its wave, from the XLSForm.
    form_path = tmp_path / "barometre.xlsx"
    sample_xlsform_bytes(form_path)
    page.fill("#id_label", "2025")
    page.fill("#id_field_start", "2025-03-01")
    page.fill("#id_field_end", "2025-04-15")
    # Choosing the file reads it (htmx): its single-choice questions are offered as
    # respondent attributes to tick.
    page.set_input_files("#id_xlsform", str(form_path))
    page.locator("#attr-taille_commune").wait_for()
    assert page.locator("input[name=attribute_codes]").count() == 3
    page.check("#attr-region")
    page.check("#attr-taille_commune")
    assert_accessible(page)
    submit(page, "#wave-form button[type=submit]")
    wave = Wave.objects.get(survey=survey)
    assert page.url.endswith(f"/observatoire/console/vagues/{wave.pk}/")
    assert page.locator("#question-list tbody tr").count() == 6
    assert sorted(wave.questions.filter(is_attribute=True)
                  .values_list("question__code", flat=True)) == ["region", "taille_commune"]
    assert_accessible(page)

    # The responses: the import waits for the worker, the page polls its batch.
    data_path = tmp_path / "reponses.csv"
    responses_csv(data_path)
    page.set_input_files("#import-form input[type=file]", str(data_path))
    page.fill("#id_weight_column", "poids")
    submit(page, "#import-form button[type=submit]")
    batch = ResponseBatch.objects.get(wave=wave)
    item = page.locator(f"#batch-{batch.pk}")
    assert item.get_attribute("data-status") == "en_attente"
    assert item.get_attribute("hx-trigger") == "every 1s"
    assert_accessible(page)
    batch_run(batch_id=batch.pk)
    page.locator(f"#batch-{batch.pk}[data-status=terminee]").wait_for(timeout=10_000)
    done = page.locator(f"#batch-{batch.pk}")
    assert done.get_attribute("hx-trigger") is None  # polling stops
    progress = done.locator("progress")
    assert progress.get_attribute("value") == progress.get_attribute("max") == "80"
    # The wave's count follows without a reload.
    assert page.locator("#wave-respondents").inner_text() == "80"

    # Raking to margins.
    margins_path = tmp_path / "marges.csv"
    margins_csv(margins_path)
    page.set_input_files("#rake-form input[type=file]", str(margins_path))
    submit(page, "#rake-form button[type=submit]")
    page.locator("#rake-report").wait_for()
    wave.refresh_from_db()
    assert wave.rake_report["converged"]
    assert page.locator("#rake-report tbody tr").count() == 7
    assert_accessible(page)

    # Publication, then the dashboard.
    submit(page, "#status-form button[value=publiee]")
    assert page.locator("#wave-status").get_attribute("data-status") == "publiee"
    wave.refresh_from_db()
    assert wave.status == Wave.Status.PUBLIEE
    assert_accessible(page)
    submit(page, "#dashboard-link")
    assert page.url.endswith(f"/observatoire/vagues/{wave.pk}/")
    assert page.locator("h1").count() == 1


def test_the_wave_page_reads_on_a_phone_with_every_section_filled(phone_page, analyste,
                                                                    password):
    """Errors of a failed import, a raking report, the open link and invitations: all
    shown, axe-clean and without horizontal scrolling at 375 px."""
    from alliances.observatory.collection import invitations_create
    from alliances.observatory.console_services import wave_set_open_link
    from alliances.observatory.services import margins_read, wave_rake
    from alliances.observatory.testing import make_wave

    wave = make_wave(analyste, n=120)
    wave_rake(wave=wave, margins=margins_read(
        "variable,category,share\nregion,11,40\nregion,84,35\nregion,53,25\n"))
    wave_set_open_link(wave=wave, open=True)
    invitations_create(wave=wave, count=3)
    batch = ResponseBatch.objects.create(
        wave=wave, status=ResponseBatch.Status.FAILED, filename="un-fichier-au-nom-long.csv",
        source="x.csv", rows_total=3, rows_done=3, created_by=analyste,
        errors=[{"line": 2, "column": "q4", "message": "« peut-être » n'est pas une option de "
                 "q4 (attendu : oui, non, nsp)"}],
    )
    login(phone_page, email=analyste.email, password=password)
    phone_page.goto(f"/observatoire/console/vagues/{wave.pk}/")
    assert phone_page.locator("#open-link").count() == 1
    assert phone_page.locator("#rake-report").count() == 1
    assert_accessible(phone_page)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 376
    phone_page.goto(f"/observatoire/console/imports/{batch.pk}/")
    assert_accessible(phone_page)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 376
