"""Territories and organisations for the actor, territory and API tests (shared fixtures).

Territories are made with get_or_create so the fixtures work whether or not the regions
and départements data migration has run.
"""

import pytest

from alliances.accounts.models import User
from alliances.actors.models import Membership, Organisation, OrganisationType
from alliances.actors.services import membership_add, organisation_create
from alliances.territories.models import Commune, Departement, Region


def make_commune(code: str, name: str, departement: Departement, population: int) -> Commune:
    commune, _ = Commune.objects.get_or_create(
        code=code, defaults={"name": name, "departement": departement, "population": population}
    )
    return commune


@pytest.fixture
def idf(db) -> Region:
    return Region.objects.get_or_create(code="11", defaults={"name": "Île-de-France"})[0]


@pytest.fixture
def ara(db) -> Region:
    return Region.objects.get_or_create(code="84", defaults={"name": "Auvergne-Rhône-Alpes"})[0]


@pytest.fixture
def val_de_marne(idf) -> Departement:
    return Departement.objects.get_or_create(
        code="94", defaults={"name": "Val-de-Marne", "region": idf}
    )[0]


@pytest.fixture
def seine_saint_denis(idf) -> Departement:
    return Departement.objects.get_or_create(
        code="93", defaults={"name": "Seine-Saint-Denis", "region": idf}
    )[0]


@pytest.fixture
def rhone(ara) -> Departement:
    return Departement.objects.get_or_create(code="69", defaults={"name": "Rhône", "region": ara})[
        0
    ]


@pytest.fixture
def vincennes(val_de_marne) -> Commune:
    return make_commune("94080", "Vincennes", val_de_marne, 49_788)


@pytest.fixture
def creteil(val_de_marne) -> Commune:
    return make_commune("94028", "Créteil", val_de_marne, 92_265)


@pytest.fixture
def montreuil(seine_saint_denis) -> Commune:
    return make_commune("93048", "Montreuil", seine_saint_denis, 111_367)


@pytest.fixture
def lyon(rhone) -> Commune:
    return make_commune("69123", "Lyon", rhone, 522_250)


@pytest.fixture
def organisation(participant: User, vincennes: Commune) -> Organisation:
    """A public association of Vincennes whose manager is the participant persona."""
    return organisation_create(
        name="Maison des associations de Vincennes",
        type=OrganisationType.ASSOCIATION,
        commune=vincennes,
        siren="732829320",
        rna="W941000001",
        address="1 rue de l'Église",
        website="https://mda.example.org",
        description="Accompagne les associations de la ville.",
        fragilities=["lien-social", "jeunesse"],
        sectors=["S"],
        created_by=participant,
    )


@pytest.fixture
def hidden_organisation(participant: User, vincennes: Commune) -> Organisation:
    return organisation_create(
        name="Collectif discret",
        type=OrganisationType.ASSOCIATION,
        commune=vincennes,
        is_public=False,
        created_by=participant,
    )


@pytest.fixture
def member(animateur: User, organisation: Organisation) -> User:
    """The animateur persona, a plain member of the organisation."""
    membership_add(organisation=organisation, user=animateur, role=Membership.Role.MEMBER)
    return animateur


@pytest.fixture
def many_organisations(vincennes, creteil, montreuil, lyon) -> list[Organisation]:
    """60 public organisations spread over four communes, with fragilities: N+1 shows."""
    communes = [vincennes, creteil, montreuil, lyon]
    types = list(OrganisationType)
    fragilities = ["emploi", "sante", "culture", "logement"]
    return [
        organisation_create(
            name=f"Acteur {i:02d}",
            type=types[i % len(types)],
            commune=communes[i % len(communes)],
            fragilities=[fragilities[i % 4], fragilities[(i + 1) % 4]],
            sectors=["Q"],
        )
        for i in range(60)
    ]
