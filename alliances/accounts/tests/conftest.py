import pytest

from alliances.actors.models import Membership, Organisation, OrganisationType
from alliances.territories.models import Commune, Departement, Region


@pytest.fixture
def commune(db) -> Commune:
    # get_or_create: a data migration may already ship the regions and départements.
    region, _ = Region.objects.get_or_create(code="11", defaults={"name": "Île-de-France"})
    departement, _ = Departement.objects.get_or_create(
        code="75", defaults={"name": "Paris", "region": region}
    )
    return Commune.objects.create(code="75056", name="Paris", departement=departement)


@pytest.fixture
def other_commune(commune) -> Commune:
    return Commune.objects.create(code="75101", name="Paris 1er", departement=commune.departement)


@pytest.fixture
def organisation(commune) -> Organisation:
    return Organisation.objects.create(
        name="Maison des associations", type=OrganisationType.CATALYSEUR, commune=commune
    )


@pytest.fixture
def membership(participant, organisation) -> Membership:
    return Membership.objects.create(
        user=participant, organisation=organisation, role=Membership.Role.MANAGER,
        title="Coordinatrice",
    )
