"""A visitor opens a published wave from the observatory's page, picks a question, a
breakdown by region and a filter (htmx, the URL following), reloads the shared URL to the
same view, reads the data table and downloads the CSV; axe-core on each step, the form
driven by the keyboard."""

import csv
import io
import re
from urllib.parse import parse_qs, urlparse

import pytest

from alliances.observatory import analysis, dataset
from alliances.observatory.services import wave_publish
from alliances.observatory.testing import make_wave
from alliances.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def wave(analyste):
    dataset.clear_cache()
    return wave_publish(wave=make_wave(analyste, n=400), by=analyste)


def settle(page) -> None:
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')"
    )


def table_rows(page) -> list[list[str]]:
    return [
        [cell.strip() for cell in row.locator("td").all_inner_texts()]
        for row in page.locator("#results-table tbody tr").all()
    ]


def test_a_visitor_filters_the_dashboard_and_downloads_the_csv(page, wave):
    page.goto("/observatoire/")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name="2024").click()
    assert page.url.endswith(f"/observatoire/vagues/{wave.pk}/")
    assert page.locator("#results-table tbody tr").count() == 3  # q4's three answers
    assert_accessible(page)

    # The keyboard alone: the question select, then the breakdown, then a filter.
    page.locator("#id_question").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_by_1"
    page.locator("#id_question").select_option("q14")
    settle(page)
    page.locator("#id_by_1").select_option("region")
    settle(page)
    checkbox = page.locator("#filter-taille_commune-moins_1000")
    checkbox.focus()
    page.keyboard.press("Space")
    settle(page)
    expect_url = re.compile(r"question=q14.*by=region.*filter=taille_commune%3Amoins_1000")
    page.wait_for_url(expect_url)
    query = parse_qs(urlparse(page.url).query)
    assert query["question"] == ["q14"] and "region" in query["by"]
    assert query["filter"] == ["taille_commune:moins_1000"]

    results = analysis.question_results(
        dataset.wave_data(wave), "q14", by=["region"],
        filters={"taille_commune": ["moins_1000"]}, min_n=wave.min_n)
    rows = table_rows(page)
    assert len(rows) == 9  # three regions × three partners
    first = results.groups[0]
    assert rows[0][0] == first.key_labels["region"] and rows[0][1] == "Des associations"
    assert rows[0][4] == str(first.n)
    assert rows[0][2] == f"{first.options[0].share * 100:.1f}\u00a0%".replace(".", ",")
    assert page.locator(".observatory-chart svg[role=img] title").first.text_content() \
        == results.question.label
    assert_accessible(page)

    # The URL is the view: reloading it shows the same selection and figures.
    shared = page.url
    page.goto(shared)
    assert page.locator("#id_question").input_value() == "q14"
    assert page.locator("#id_by_1").input_value() == "region"
    assert page.locator("#filter-taille_commune-moins_1000").is_checked()
    assert table_rows(page) == rows

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename == "maires-2024-q14.csv"
    with open(download.path(), encoding="utf-8-sig") as handle:
        lines = list(csv.DictReader(io.StringIO(handle.read())))
    assert len(lines) == 9
    assert lines[0]["region"] == first.key["region"] and lines[0]["option"] == "asso"
    assert float(lines[0]["share"]) == pytest.approx(first.options[0].share, rel=1e-12)
    assert int(lines[0]["n"]) == first.n


def test_the_dashboard_works_without_javascript(browser, live_server, wave):
    context = browser.new_context(locale="fr-FR", base_url=live_server.url,
                                  java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"/observatoire/vagues/{wave.pk}/")
        page.locator("#id_question").select_option("q20")
        page.locator("#id_by_1").select_option("region")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert "question=q20" in page.url and "by=region" in page.url
        assert page.locator("#results-table tbody tr").count() == 3
    finally:
        context.close()


def test_the_dashboard_on_a_phone_with_its_evolution(phone_page, analyste, wave):
    second = wave_publish(wave=make_wave(analyste, label="2025", n=300, seed=3), by=analyste)
    phone_page.goto(f"/observatoire/vagues/{second.pk}/?question=q4&by=region")
    assert phone_page.locator("#results-table tbody tr").count() == 9
    assert phone_page.locator("#evolution-table tbody tr").count() == 6
    assert_accessible(phone_page)


def test_an_analyst_sees_an_unpublished_wave(page, analyste, password):
    draft = make_wave(analyste, slug="brouillon", label="2026", n=60)
    login(page, email=analyste.email, password=password)
    page.goto(f"/observatoire/vagues/{draft.pk}/?question=q4&by=region")
    assert page.locator(".status-banner").count() == 1
    assert page.locator("#results-table tbody tr[data-too-small=true]").count() > 0
    assert_accessible(page)
