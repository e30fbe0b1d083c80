"""The registry's pages in French. Domain words (types, forms) are French msgids and are
always checked; the rest needs the French catalogue with this app's translations compiled:
until then those checks are skipped (not failed), and they run as soon as it is."""

import pytest
from django.utils import translation

from .alliance_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def test_domain_words_are_french(client, participant, public_alliance):
    html = client.get("/alliances/").content.decode()
    assert "mécénat" in html and "partenariat entre organisations" in html
    assert 'lang="fr"' in html


@pytest.fixture
def catalogue():
    with translation.override("fr"):
        if translation.gettext("36-month follow-up") == "36-month follow-up":
            pytest.skip("the alliances' French translations are not compiled yet")


def test_pages_read_in_french(catalogue, client, participant, public_alliance):
    client.force_login(participant)
    html = client.get("/alliances/").content.decode()
    for words in ("Filtrer les alliances", "Enregistrer une alliance", "Territoire"):
        assert words in html, words
    html = client.get(public_alliance.get_absolute_url()).content.decode()
    for words in ("Suivi sur 36 mois", "Chronologie", "Jalons", "Date de début",
                  "Ajouter une note de suivi",
                  "Partenaires", "porteur", "financeur", "active"):
        assert words in html, words
    html = client.get("/alliances/nouvelle/").content.decode()
    for words in ("Nouvelle alliance", "Ressources mobilisées", "Créer l’alliance"):
        assert words in html, words
