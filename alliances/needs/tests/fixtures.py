"""A hand-built territory for the needs' tests (Val-de-Marne: Vincennes and Créteil, and
Montreuil across the border), its organisations and alliances, made through the services.

People: the participant persona manages the association that posts the need (home); the
animateur persona manages the foundation of Créteil (another organisation's member); the
outsider persona belongs to no organisation; admin is a platform admin.
"""

import datetime
from types import SimpleNamespace

import pytest

from alliances.actors.models import OrganisationType
from alliances.actors.services import organisation_create
from alliances.needs.models import HelpKind, Need
from alliances.needs.services import need_create
from alliances.partnerships.models import AllianceForm, AllianceType
from alliances.partnerships.services import PartnerSpec, alliance_create

START = datetime.date(2025, 3, 1)


def ally(title, a, b, *, departement, fragilities=(), is_public=True):
    return alliance_create(
        title=title, type=AllianceType.MECENAT, form=AllianceForm.PARTENARIAT,
        start_date=START, partners=[PartnerSpec(a), PartnerSpec(b)],
        departement=departement, fragilities=fragilities, is_public=is_public,
    )


@pytest.fixture
def land(participant, animateur, vincennes, creteil, montreuil, val_de_marne,
         seine_saint_denis):
    org = organisation_create
    t = SimpleNamespace()
    t.home = org(name="Solidarité emploi Vincennes", type=OrganisationType.ASSOCIATION,
                 commune=vincennes, fragilities=["emploi"], sectors=["S"],
                 website="https://solidarite.example.org", created_by=participant)
    t.fondation_vincennes = org(name="Fondation Vincennes Avenir",
                                type=OrganisationType.FONDATION, commune=vincennes,
                                fragilities=["emploi"], sectors=["S"],
                                website="https://fva.example.org")
    t.fondation_creteil = org(name="Fondation Créteil Solidaire",
                              type=OrganisationType.FONDATION, commune=creteil,
                              fragilities=["emploi", "jeunesse"],
                              website="https://fcs.example.org", created_by=animateur)
    t.mairie_creteil = org(name="Mairie de Créteil", type=OrganisationType.COLLECTIVITE,
                           commune=creteil, sectors=["O"])
    t.banque_creteil = org(name="Banque coopérative de Créteil",
                           type=OrganisationType.ENTREPRISE, commune=creteil, sectors=["K"])
    t.lycee_creteil = org(name="Lycée Jean Moulin", type=OrganisationType.ENSEIGNEMENT,
                          commune=creteil, sectors=["P"])
    t.theatre_vincennes = org(name="Théâtre en herbe de Vincennes",
                              type=OrganisationType.ASSOCIATION, commune=vincennes,
                              fragilities=["culture"], sectors=["R"])
    t.fondation_discrete = org(name="Fondation discrète", type=OrganisationType.FONDATION,
                               commune=creteil, fragilities=["emploi"], is_public=False)
    t.fondation_montreuil = org(name="Fondation de Montreuil", type=OrganisationType.FONDATION,
                                commune=montreuil, fragilities=["emploi"])
    # Alliances: the need's association with the Vincennes foundation; that foundation with
    # the lycée (a partner of a partner); the Créteil town hall on employment with Montreuil;
    # a private alliance on employment the participant cannot see (the bank and the theatre).
    t.forum = ally("Forum de l'emploi 2025", t.home, t.fondation_vincennes,
                   departement=val_de_marne, fragilities=["emploi"])
    t.stages = ally("Stages au lycée", t.fondation_vincennes, t.lycee_creteil,
                    departement=val_de_marne)
    t.insertion = ally("Insertion Est parisien", t.mairie_creteil, t.fondation_montreuil,
                       departement=val_de_marne, fragilities=["emploi"])
    t.secret = ally("Alliance confidentielle", t.banque_creteil, t.theatre_vincennes,
                    departement=val_de_marne, fragilities=["emploi"], is_public=False)
    return t


@pytest.fixture
def need(land, participant) -> Need:
    return need_create(
        organisation=land.home, title="Financer un atelier d'aide à l'emploi",
        description="Il nous manque **8 000 €** pour un second atelier.",
        kind=HelpKind.FINANCEMENT, fragility="emploi", created_by=participant,
    )


@pytest.fixture
def hidden_need(participant, vincennes) -> Need:
    """A need of a non-public organisation managed by the participant."""
    organisation = organisation_create(
        name="Collectif privé", type=OrganisationType.ASSOCIATION, commune=vincennes,
        is_public=False, created_by=participant,
    )
    return need_create(organisation=organisation, title="Besoin discret",
                       kind=HelpKind.LIEU, created_by=participant)
