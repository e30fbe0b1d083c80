"""The suggestions on a hand-built territory: who is suggested, in which order, for which
reasons, who is left out; one query whatever the number of candidates."""

import pytest

from alliances.actors.models import OrganisationType
from alliances.actors.services import organisation_create
from alliances.needs.models import HelpKind
from alliances.needs.selectors import need_detail, suggestions
from alliances.needs.services import contact_request_send, need_create

pytestmark = pytest.mark.django_db


def ranking(need, viewer):
    return [(s.organisation.name, s.score) for s in suggestions(need, viewer)]


def test_the_ranking_adds_the_points_of_each_reason(land, need, participant):
    assert ranking(need, participant) == [
        ("Fondation Vincennes Avenir", 3 + 3 + 4 + 2 + 2),
        ("Fondation Créteil Solidaire", 3 + 3),
        ("Mairie de Créteil", 3 + 2),
        ("Banque coopérative de Créteil", 3 + 1),
        ("Lycée Jean Moulin", 1),
    ]


def test_the_reasons_are_shown_in_french(land, need, participant):
    found = {s.organisation.name: [r.text for r in s.reasons] for s in suggestions(need,
                                                                                participant)}
    assert found["Fondation Vincennes Avenir"] == [
        "Fondation",
        "agit sur « Emploi »",
        "déjà partenaire de Solidarité emploi Vincennes sur « Forum de l'emploi 2025 »",
        "a déjà participé à des alliances sur « Emploi »",
        "dans votre commune (Vincennes)",
    ]
    assert found["Banque coopérative de Créteil"] == [
        "Entreprise (mécénat)", "secteur : Activités financières et d'assurance",
    ]
    assert found["Mairie de Créteil"] == [
        "Collectivité territoriale (financement public)",
        "a déjà participé à des alliances sur « Emploi »",
    ]
    assert found["Lycée Jean Moulin"] == ["partenaire d'un de vos partenaires"]


def test_left_out_own_other_territories_private_unfit_and_contacted(land, need, participant):
    names = [name for name, _score in ranking(need, participant)]
    for absent in ("Solidarité emploi Vincennes", "Fondation de Montreuil",
                   "Fondation discrète", "Théâtre en herbe de Vincennes"):
        assert absent not in names
    contact_request_send(need=need, sender=land.home, recipient=land.fondation_creteil,
                         user=participant, message="Bonjour")
    assert "Fondation Créteil Solidaire" not in [n for n, _s in ranking(need, participant)]


def test_an_offer_received_also_leaves_the_helper_out(land, need, animateur, participant):
    contact_request_send(need=need, sender=land.fondation_creteil, recipient=land.home,
                         user=animateur, message="Nous pouvons aider.")
    assert "Fondation Créteil Solidaire" not in [n for n, _s in ranking(need, participant)]


def test_a_private_alliance_counts_only_for_those_who_see_it(land, need, participant, admin):
    # The bank and the theatre's private alliance on employment: invisible to the
    # participant (4 points), visible to an admin (4 + 2).
    assert dict(ranking(need, participant))["Banque coopérative de Créteil"] == 4
    assert dict(ranking(need, admin))["Banque coopérative de Créteil"] == 6
    # A private organisation is suggested to those who may see it (an admin).
    assert dict(ranking(need, admin))["Fondation discrète"] == 6


def test_the_kind_of_help_changes_the_fitting_types(land, participant):
    need = need_create(organisation=land.home, title="Un local", kind=HelpKind.LIEU,
                       created_by=participant)
    found = {s.organisation.name: [r.text for r in s.reasons] for s in suggestions(need,
                                                                                participant)}
    assert found["Mairie de Créteil"][0] == "Collectivité territoriale"
    assert found["Lycée Jean Moulin"][0] == "Établissement d'enseignement"
    assert "Fondation Créteil Solidaire" not in found


def test_same_commune_first_among_equal_fits(land, participant, vincennes, creteil):
    need = need_create(organisation=land.home, title="Matériel", kind=HelpKind.MATERIEL,
                       created_by=participant)
    organisation_create(name="AAA Menuiserie", type=OrganisationType.ENTREPRISE,
                        commune=creteil, sectors=["C"])
    organisation_create(name="ZZZ Menuiserie", type=OrganisationType.ENTREPRISE,
                        commune=vincennes, sectors=["C"])
    names = [n for n, _s in ranking(need, participant)]
    assert names.index("ZZZ Menuiserie") < names.index("AAA Menuiserie")


def test_no_commune_no_suggestion(participant):
    organisation = organisation_create(name="Sans commune", type=OrganisationType.ASSOCIATION,
                                       created_by=participant)
    need = need_create(organisation=organisation, title="Aide", kind=HelpKind.FINANCEMENT)
    assert suggestions(need, participant) == []


def test_a_fixed_number_of_queries_and_ten_at_most(land, need, participant, creteil,
                                                    django_assert_num_queries):
    need = need_detail(participant, need.pk)  # as the page reads it
    # The viewer's alliances, the need organisation's, their partners, the ranking, the
    # sector names and the shared titles of the ten kept: six, however many candidates.
    with django_assert_num_queries(6):
        suggestions(need, participant)
    for i in range(30):
        organisation_create(name=f"Fondation {i:02d}", type=OrganisationType.FONDATION,
                            commune=creteil, fragilities=["emploi", "sante"], sectors=["K"])
    with django_assert_num_queries(6):
        found = suggestions(need, participant)
        reasons = [r.text for s in found for r in s.reasons]
    assert len(found) == 10 and reasons
    assert found[0].organisation.name == "Fondation Vincennes Avenir"
    assert "secteur : Activités financières et d'assurance" in [
        r.text for r in found[1].reasons] or "sector: Activités financières et d'assurance" in [
        r.text for r in found[1].reasons]
