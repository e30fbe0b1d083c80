"""The demo alliances, the back-office and the personal-data export and erasure."""

import datetime
import itertools

import pytest
from django.urls import reverse

from alliances.accounts.gdpr import user_export
from alliances.accounts.services import user_delete
from alliances.actors.models import OrganisationType
from alliances.actors.services import organisation_create
from alliances.actors.tests.fixtures import make_commune
from alliances.partnerships.demo import partnerships_demo
from alliances.partnerships.models import (
    Alliance,
    AllianceForm,
    AllianceStatus,
    AllianceType,
    FollowUpNote,
    IndicatorValue,
    Partner,
)
from alliances.partnerships.services import followup_note_add, indicator_record
from alliances.territories.models import Departement

from .alliance_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_actors(db):
    for code in ("35", "94", "05"):
        departement = Departement.objects.get(code=code)
        communes = [make_commune(f"{code}9{i:02d}", f"Commune {code}-{i}", departement, 1000 * i)
                    for i in range(1, 4)]
        for kind, n in itertools.product(OrganisationType, range(3)):
            organisation_create(name=f"{kind.label} {code} {n}", type=kind,
                                commune=communes[n])


def test_the_demo_makes_varied_alliances_with_missing_links(demo_actors):
    made = partnerships_demo()
    assert 50 <= made <= 70
    alliances = Alliance.objects.all()
    assert alliances.count() == made
    assert {a.type for a in alliances} == set(AllianceType.values)
    assert {a.form for a in alliances} == set(AllianceForm.values)
    assert {a.status for a in alliances} == set(AllianceStatus.values)
    assert {a.departement_id for a in alliances} == {"35", "94", "05"}
    assert 0 < alliances.filter(is_public=False).count() < made / 5
    assert FollowUpNote.objects.count() > made
    assert IndicatorValue.objects.count() > made
    assert alliances.filter(fragilities__isnull=False).distinct().count() == made
    span = max((n.date - n.alliance.start_date).days for n in FollowUpNote.objects.all())
    assert 24 * 30 < span <= 37 * 31
    # No association works with a company in Hautes-Alpes.
    for alliance in alliances.filter(departement_id="05"):
        types = set(Partner.objects.filter(alliance=alliance)
                    .values_list("organisation__type", flat=True))
        assert not {"association", "entreprise"} <= types, alliance
    assert Partner.objects.filter(alliance__departement_id="94",
                                  organisation__type="entreprise").exists()


def test_the_demo_runs_once(demo_actors):
    made = partnerships_demo()
    assert partnerships_demo() == 0
    assert Alliance.objects.count() == made


def test_the_demo_is_reproducible(demo_actors):
    partnerships_demo(seed=7)
    first = list(Alliance.objects.order_by("pk").values_list("title", "status"))
    Alliance.objects.all().delete()
    partnerships_demo(seed=7)
    assert list(Alliance.objects.order_by("pk").values_list("title", "status")) == first


MODELS = ["alliance", "followupnote", "indicatorvalue", "partnerbenchmark"]


@pytest.mark.parametrize("model", MODELS)
def test_admins_see_the_lists(client, admin, public_alliance, model):
    client.force_login(admin)
    assert client.get(reverse(f"admin:partnerships_{model}_changelist")).status_code == 200


def test_an_alliance_with_its_partners_inline(client, admin, public_alliance, organisation):
    client.force_login(admin)
    html = client.get(reverse("admin:partnerships_alliance_change",
                              args=[public_alliance.pk])).content.decode()
    assert "partners-TOTAL_FORMS" in html and organisation.name in html


def test_export_and_erasure(participant, public_alliance, outsider):
    public_alliance.created_by = participant
    public_alliance.save()
    followup_note_add(alliance=public_alliance, date=datetime.date(2024, 7, 1), text="Bilan",
                      author=participant)
    indicator_record(alliance=public_alliance, kind="benevoles",
                     date=datetime.date(2024, 7, 1), value=4, author=participant)
    other = followup_note_add(alliance=public_alliance, date=datetime.date(2024, 8, 1),
                              text="Autre", author=outsider)
    data = user_export(participant)["partnerships"]
    assert data["alliances_created"][0]["title"] == public_alliance.title
    assert data["follow_up_notes"][0]["text"] == "Bilan"
    assert data["indicator_values"][0]["value"] == "4.00"
    assert user_export(outsider)["partnerships"]["alliances_created"] == []
    user_delete(user=participant)
    public_alliance.refresh_from_db()
    assert public_alliance.created_by is None
    assert FollowUpNote.objects.get(text="Bilan").author is None
    assert IndicatorValue.objects.get().author is None
    other.refresh_from_db()
    assert other.author == outsider
