"""The dashboard's French wording: small cells, the unpublished banner, the significance of
a change. These need the French catalogue with the dashboard's messages (merged and compiled
by the lead); until then they are skipped, saying so."""

import pytest
from django.urls import reverse
from django.utils import translation

from alliances.observatory.services import wave_publish
from alliances.observatory.testing import make_wave

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french_catalogue():
    with translation.override("fr"):
        if translation.gettext("Unpublished wave") == "Unpublished wave":
            pytest.skip("the French catalogue does not hold the dashboard's messages yet")


def test_small_cells_say_effectif_insuffisant(client, analyste):
    wave = wave_publish(wave=make_wave(analyste, n=150), by=analyste)
    url = reverse("observatory:dashboard", args=[wave.pk])
    html = client.get(f"{url}?question=q14&by=region&by=taille_commune&filter=q4:oui"
                      ).content.decode()
    assert "effectif insuffisant (n &lt; 30)" in html
    assert "Tableau des données" in html


def test_an_unpublished_wave_says_so(client, analyste):
    wave = make_wave(analyste, n=60)
    client.force_login(analyste)
    html = client.get(reverse("observatory:dashboard", args=[wave.pk])).content.decode()
    assert "Vague non publiée" in html


def test_changes_say_whether_they_are_significant(client, analyste):
    wave_publish(wave=make_wave(analyste, n=400), by=analyste)
    second = wave_publish(wave=make_wave(analyste, label="2025", n=600, seed=5), by=analyste)
    response = client.get(reverse("observatory:dashboard", args=[second.pk]) + "?question=q4")
    html = response.content.decode()
    verdicts = [r.significant for r in response.context["evolution"][3:]]
    both = html.count("significatif au seuil de 5\u00a0%")
    negative = html.count("non significatif au seuil de 5\u00a0%")
    assert negative == verdicts.count(False)
    assert both - negative == verdicts.count(True)
