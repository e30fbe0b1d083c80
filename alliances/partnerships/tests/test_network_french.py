"""The network page in French (the site's language): its own words and the domain's."""

import pytest

from .test_network_fixtures import *  # noqa: F403

PAGE = "/alliances/reseau/departement/94/"


@pytest.mark.django_db
def test_the_network_page_is_in_french(client, scenario):
    content = client.get(PAGE).content.decode()
    for words in (
        "Réseau des alliances : Val-de-Marne", "Types d'acteurs", "Type de partenariat",
        "Montrer les acteurs isolés", "Appliquer les filtres", "Chiffres du réseau",
        "Acteurs passerelles", "Acteurs isolés", "Association isolée",
        "Densité des liens par paire de types d'acteurs", "Acteurs du réseau",
        "Alliances du réseau", "Rang d'acteur passerelle", "Légende : types d'acteurs",
        "Le même réseau sous forme de listes", "Aucun acteur ne relie encore deux autres acteurs.",
        "3 acteurs", "3 alliances",
        "Mécénat", "Coopération économique", "Entreprise", "Chargement du réseau…",
    ):
        # a form's label is escaped (&#x27;), a template's literal is not
        assert words in content or words.replace("'", "&#x27;") in content, words


@pytest.mark.django_db
def test_a_bad_filter_is_explained_in_french(client, scenario):
    content = client.get(PAGE + "?alliance_type=troc").content.decode()
    assert "Le filtre « Type de partenariat » a été ignoré" in content
