"""The console in French, as analysts read it: located errors ("Feuille survey, ligne 15 :
…"), the margins' lines, the status buttons, an import's counts.

They need the French catalogue with the console's translations compiled; until then they
are skipped (not failed), and they run as soon as it is.
"""

import io

import pytest
from django.urls import reverse
from django.utils import translation

from alliances.observatory.services import survey_create, wave_publish
from alliances.observatory.testing import make_wave
from alliances.observatory.tests.xlsforms import (
    FR,
    build_xlsform,
    sample_choices_rows,
    sample_survey_rows,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _catalogue(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("fr"):
        if translation.gettext("Observatory console") == "Observatory console":
            pytest.skip("the console's French translations are not compiled yet")


def _upload(name: str, content: bytes) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def test_xlsform_errors_read_by_sheet_and_line(client, analyste):
    client.force_login(analyste)
    survey = survey_create(slug="b", title="B", population="maires", owner=analyste)
    rows = [*sample_survey_rows(), {"type": "select_one absente", "name": "q5", FR: "?"}]
    response = client.post(reverse("observatory:console_survey", args=[survey.slug]), {
        "label": "2025", "xlsform": _upload("f.xlsx", build_xlsform(None, rows,
                                                                   sample_choices_rows()))})
    assert response.status_code == 400
    errors = response.context["errors"]
    assert any(e.startswith("Feuille survey, ligne 15, colonne « type » : ") for e in errors), \
        errors
    assert "rien n'a été créé" in response.content.decode()


def test_margins_errors_read_by_line_and_column(client, analyste):
    client.force_login(analyste)
    wave = make_wave(analyste, n=60)
    response = client.post(reverse("observatory:console_rake", args=[wave.pk]),
                           {"text": "variable,category,share\nregion,11,abc\n"})
    assert response.status_code == 400
    assert response.context["margin_errors"][0].startswith("Ligne 2, colonne « share » : ")


def test_status_buttons_and_counts_in_french(client, analyste):
    client.force_login(analyste)
    wave = make_wave(analyste, n=60)
    page = client.get(reverse("observatory:console_wave", args=[wave.pk]))
    labels = [label for _target, label in page.context["transitions"]]
    assert labels == ["Ouvrir la collecte", "Publier", "Clore la vague"]
    assert "60 importées" in page.content.decode()
    wave_publish(wave=wave, by=analyste)
    page = client.get(reverse("observatory:console_wave", args=[wave.pk]))
    assert [label for _t, label in page.context["transitions"]] == ["Retirer la publication"]
