"""The needs' demo: about fifteen needs in the three demo départements, requests pending,
accepted and declined (some for the demo participant's organisation); a second run adds
nothing."""

import pytest

from alliances.accounts.models import User
from alliances.accounts.services import user_create
from alliances.actors.models import Membership, OrganisationType
from alliances.actors.services import membership_add, organisation_create
from alliances.needs.demo import needs_demo
from alliances.needs.models import ContactRequest, ContactStatus, Need
from alliances.territories.models import Commune, Departement, Region

pytestmark = pytest.mark.django_db

KINDS = [OrganisationType.ASSOCIATION] * 6 + [
    OrganisationType.FONDATION, OrganisationType.ENTREPRISE, OrganisationType.COLLECTIVITE]


@pytest.fixture
def demo_land(db):
    """A small version of the demo: three départements, a catalyst managed by the demo
    participant, associations, a foundation, a company, a town hall in each."""
    region = Region.objects.get_or_create(code="11", defaults={"name": "Île-de-France"})[0]
    participant = user_create(email="participant@alliances.localhost", password=None,
                              display_name="Paula Participante", role=User.Role.PARTICIPANT)
    for code, name in (("94", "Val-de-Marne"), ("35", "Ille-et-Vilaine"),
                       ("05", "Hautes-Alpes")):
        departement = Departement.objects.get_or_create(
            code=code, defaults={"name": name, "region": region})[0]
        commune = Commune.objects.get_or_create(
            code=f"{code}001", defaults={"name": f"Ville {code}", "departement": departement,
                                         "population": 1000})[0]
        catalyst = organisation_create(name=f"Maison des associations {code}",
                                       type=OrganisationType.CATALYSEUR, commune=commune)
        if code == "94":
            membership_add(organisation=catalyst, user=participant,
                           role=Membership.Role.MANAGER)
        for i, kind in enumerate(KINDS):
            organisation_create(name=f"{kind} {code}-{i}", type=kind, commune=commune,
                                fragilities=["emploi"])
    return participant


def test_the_demo_needs_and_requests(demo_land):
    participant = demo_land
    assert needs_demo() == 14
    catalyst = participant.organisations.get()
    assert Need.objects.filter(organisation=catalyst).count() == 2
    assert set(Need.objects.values_list("organisation__departement", flat=True)) == {
        "94", "35", "05"}
    statuses = set(ContactRequest.objects.values_list("status", flat=True))
    assert statuses == {ContactStatus.PENDING, ContactStatus.ACCEPTED, ContactStatus.DECLINED}
    received = ContactRequest.objects.filter(recipient=catalyst)
    assert received.filter(status=ContactStatus.PENDING).exists()
    assert ContactRequest.objects.filter(sender=catalyst,
                                         status=ContactStatus.ACCEPTED).exists()
    assert needs_demo() == 0
    assert Need.objects.count() == 14


def test_the_demo_without_its_participant_still_posts_needs(demo_land):
    Membership.objects.all().delete()
    User.objects.filter(email="participant@alliances.localhost").delete()
    assert needs_demo() == 12
    assert not ContactRequest.objects.exists()
