"""A small network in Val-de-Marne for the network's tests, made through the services.

- "Maison des associations de Vincennes" (the `organisation` fixture: the participant
  persona manages it; the animateur persona is a plain member through `member`),
- "Boulangerie Martin" (company, Créteil), "Mairie de Créteil" (local authority),
- "Collectif discret" (private association of Vincennes, the participant manages it),
- "Association isolée" (Créteil, no alliance),
- "Régie de Montreuil" (Seine-Saint-Denis: outside the territory).

Alliances: a public mécénat of the Maison, the bakery and the Mairie (emploi); a public
coopération économique of the bakery and the Mairie; a private innovation sociétale of
the Maison and the Collectif ("Alliance confidentielle", lien social); a public one of the
Maison with the Régie de Montreuil.
"""

import datetime
from dataclasses import dataclass

import pytest

from alliances.actors.models import Organisation, OrganisationType
from alliances.actors.services import organisation_create
from alliances.partnerships.models import Alliance, AllianceForm, AllianceStatus, AllianceType
from alliances.partnerships.services import PartnerSpec, alliance_create

START = datetime.date(2024, 3, 1)


@dataclass
class Scenario:
    maison: Organisation
    bakery: Organisation
    mairie: Organisation
    discreet: Organisation
    isolated: Organisation
    regie: Organisation
    mecenat: Alliance
    cooperation: Alliance
    confidential: Alliance
    outside: Alliance


def ally(title, partners, *, type, is_public=True, fragilities=(), commune=None, departement=None):
    return alliance_create(
        title=title, type=type, form=AllianceForm.PARTENARIAT, start_date=START,
        status=AllianceStatus.ACTIVE, is_public=is_public,
        partners=[PartnerSpec(p) for p in partners], fragilities=list(fragilities),
        commune=commune, departement=departement,
    )


@pytest.fixture
def scenario(organisation, hidden_organisation, creteil, montreuil, val_de_marne) -> Scenario:
    bakery = organisation_create(name="Boulangerie Martin", type=OrganisationType.ENTREPRISE,
                                 commune=creteil)
    mairie = organisation_create(name="Mairie de Créteil", type=OrganisationType.COLLECTIVITE,
                                 commune=creteil)
    isolated = organisation_create(name="Association isolée",
                                   type=OrganisationType.ASSOCIATION, commune=creteil)
    regie = organisation_create(name="Régie de Montreuil", type=OrganisationType.ASSOCIATION,
                                commune=montreuil)
    return Scenario(
        maison=organisation, bakery=bakery, mairie=mairie, discreet=hidden_organisation,
        isolated=isolated, regie=regie,
        mecenat=ally("Mécénat pour l'emploi", [organisation, bakery, mairie],
                     type=AllianceType.MECENAT, fragilities=["emploi"],
                     departement=val_de_marne),
        cooperation=ally("Circuit court du pain", [bakery, mairie],
                         type=AllianceType.COOPERATION_ECONOMIQUE, commune=creteil),
        confidential=ally("Alliance confidentielle", [organisation, hidden_organisation],
                          type=AllianceType.INNOVATION_SOCIETALE, is_public=False,
                          fragilities=["lien-social"], commune=organisation.commune),
        outside=ally("Échanges de savoirs", [organisation, regie],
                     type=AllianceType.PRATIQUES_RESPONSABLES, commune=montreuil),
    )
