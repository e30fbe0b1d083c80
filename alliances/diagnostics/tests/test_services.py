"""The writes on bilans, cibles and trajectoires: main paths, concurrent edits of one bilan,
bad input (located errors, nothing saved) and the cohort pages version they bump."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from alliances.actors.models import Organisation, OrganisationType
from alliances.diagnostics import services
from alliances.diagnostics.gdpr import gdpr_erase, gdpr_export
from alliances.diagnostics.models import (
    Action,
    ActionStatus,
    Bilan,
    BilanMoment,
    BilanStatus,
    Entry,
    EntryChange,
    Grid,
    Horizon,
    Milestone,
    Plan,
    PlanVisibility,
    Target,
)
from alliances.diagnostics.selectors import bilan_levels, target_levels
from alliances.diagnostics.testing import make_grid
from alliances.journeys.models import Cohort
from alliances.journeys.tests.conftest import frozen, later  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french():
    """Messages read in French, whatever language an earlier request left in the thread."""
    with translation.override("fr"):
        yield


TODAY = datetime.date(2027, 2, 1)


def pages_version(cohort) -> int:
    return Cohort.objects.values_list("pages_version", flat=True).get(pk=cohort.pk)


def organisation(name: str = "Mairie de Créteil") -> Organisation:
    return Organisation.objects.create(name=name, type=OrganisationType.choices[0][0])


def codev_item(cohort, *, client, animateur, title: str = "Réunir les entreprises"):
    """A co-development round of `client` taken to its action plan, through its services."""
    from alliances.codev import services as codev

    session = cohort.sessions.filter(kind_id="codeveloppement").order_by("start").first()
    planned = codev.round_start(
        round=codev.round_create(
            session=session, client=client, facilitator=animateur, problem="Mobiliser"
        )
    )
    for _step in range(5):
        planned = codev.round_next_step(round=planned)
    [item] = codev.action_plan_save(
        round=planned,
        items=[codev.ActionInput(title, codev.session_day(session) + datetime.timedelta(30))],
    )
    return item


def entries(bilan) -> list[Entry]:
    return list(bilan.entries.select_related("criterion").order_by("pk"))


@pytest.fixture
def bilan(plan, participant) -> Bilan:
    return services.bilan_create(plan=plan, moment=BilanMoment.T0, date=TODAY, user=participant)


# -- plans ---------------------------------------------------------------------------------


def test_plan_for_territory_makes_one_plan_on_the_default_grid(territory, grid_version):
    Grid.objects.update(is_default=False)
    Grid.objects.filter(pk=grid_version.grid_id).update(is_default=True)
    before = pages_version(territory.cohort)
    plan = services.plan_for_territory(pilot_territory=territory)
    assert plan.grid_id == grid_version.grid_id and plan.name == "Val-de-Marne"
    assert services.plan_for_territory(pilot_territory=territory) == plan
    assert Plan.objects.filter(pilot_territory=territory).count() == 1
    assert pages_version(territory.cohort) == before + 1


def test_personal_plan_and_visibility(participant, grid_version, plan):
    personal = services.plan_create_personal(user=participant)
    assert personal.owner == participant and personal.pilot_territory is None
    before = pages_version(plan.pilot_territory.cohort)
    services.plan_visibility_set(plan=plan, visibility=PlanVisibility.COHORT)
    plan.refresh_from_db()
    assert plan.visibility == PlanVisibility.COHORT
    assert pages_version(plan.pilot_territory.cohort) == before + 1
    with pytest.raises(ValidationError) as error:
        services.plan_visibility_set(plan=plan, visibility="tout-le-monde")
    assert "visibility" in error.value.message_dict
    plan.refresh_from_db()
    assert plan.visibility == PlanVisibility.COHORT


# -- bilans --------------------------------------------------------------------------------


def test_bilan_create_on_the_latest_published_version(plan, grid_version, participant):
    newer = make_grid(grid=grid_version.grid, axes=2, criteria=2)
    make_grid(grid=grid_version.grid, published=False)  # a draft is never used
    bilan = services.bilan_create(plan=plan, moment=BilanMoment.T0, date=TODAY, user=participant)
    assert bilan.grid_version == newer and bilan.status == BilanStatus.DRAFT
    assert {e.criterion.version_id for e in entries(bilan)} == {newer.pk}
    assert len(entries(bilan)) == 4
    assert all(e.level is None and e.revision == 0 for e in entries(bilan))


def test_bilan_create_bad_moment_is_refused(plan, participant):
    with pytest.raises(ValidationError) as error:
        services.bilan_create(plan=plan, moment="demain", date=TODAY, user=participant)
    assert "moment" in error.value.message_dict
    assert not Bilan.objects.exists()


def test_entry_save_records_the_change_and_bumps_the_cohort(bilan, participant):
    entry = entries(bilan)[0]
    org = organisation()
    before = pages_version(bilan.plan.pilot_territory.cohort)
    saved = services.entry_save(
        entry=entry,
        user=participant,
        level=2,
        evidence="  Un comité de pilotage réuni deux fois.  ",
        organisation_ids=[org.pk],
        revision=0,
    )
    assert saved.level == 2 and saved.revision == 1 and saved.updated_by == participant
    assert saved.evidence == "Un comité de pilotage réuni deux fois."
    assert list(saved.organisations.all()) == [org]
    [change] = EntryChange.objects.filter(entry=entry)
    assert (change.user, change.old_level, change.new_level, change.revision) == (
        participant,
        None,
        2,
        1,
    )
    assert pages_version(bilan.plan.pilot_territory.cohort) == before + 1
    assert bilan_levels(bilan) == {entry.criterion.code: 2}


def test_two_people_saving_one_entry_from_the_same_revision(bilan, participant, partner):
    entry = entries(bilan)[0]
    # Both loaded the form at revision 0; the partner saves first.
    services.entry_save(
        entry=entry, user=partner, level=3, evidence="Vu", organisation_ids=[], revision=0
    )
    with pytest.raises(services.EntryConflict) as error:
        services.entry_save(
            entry=entry, user=participant, level=1, evidence="", organisation_ids=[], revision=0
        )
    message = " ".join(error.value.messages)
    assert "Bérénice Binôme" in message and "3" in message
    assert error.value.current.level == 3
    entry.refresh_from_db()
    assert (entry.level, entry.evidence, entry.revision) == (3, "Vu", 1)
    assert EntryChange.objects.filter(entry=entry).count() == 1
    # Having seen it, the participant saves from the new revision: nothing lost.
    services.entry_save(
        entry=entry, user=participant, level=1, evidence="Vu", organisation_ids=[], revision=1
    )
    entry.refresh_from_db()
    assert (entry.level, entry.revision, entry.updated_by) == (1, 2, participant)
    assert EntryChange.objects.filter(entry=entry).count() == 2


def test_two_people_saving_two_criteria_at_once(bilan, participant, partner):
    first, second = entries(bilan)[:2]
    services.entry_save(
        entry=first, user=participant, level=2, evidence="", organisation_ids=[], revision=0
    )
    services.entry_save(
        entry=second, user=partner, level=4, evidence="", organisation_ids=[], revision=0
    )
    assert bilan_levels(bilan) == {first.criterion.code: 2, second.criterion.code: 4}


@pytest.mark.parametrize("level", [0, 5, -1])
def test_a_level_out_of_range_is_refused(bilan, participant, level):
    entry = entries(bilan)[0]
    with pytest.raises(ValidationError) as error:
        services.entry_save(
            entry=entry,
            user=participant,
            level=level,
            evidence="x",
            organisation_ids=[],
            revision=0,
        )
    assert "entre 1 et 4" in error.value.message_dict["level"][0]
    entry.refresh_from_db()
    assert (entry.level, entry.evidence, entry.revision) == (None, "", 0)
    assert not EntryChange.objects.exists()


def test_a_criterion_of_another_version_is_refused(bilan, participant, grid_version):
    other = make_grid(slug="autre-grille")
    stray = Entry.objects.create(bilan=bilan, criterion=other.criteria.first())
    with pytest.raises(ValidationError) as error:
        services.entry_save(
            entry=stray, user=participant, level=1, evidence="", organisation_ids=[], revision=0
        )
    assert "criterion" in error.value.message_dict
    stray.refresh_from_db()
    assert stray.level is None and not EntryChange.objects.exists()


def test_an_unknown_organisation_is_refused(bilan, participant):
    entry = entries(bilan)[0]
    with pytest.raises(ValidationError) as error:
        services.entry_save(
            entry=entry,
            user=participant,
            level=2,
            evidence="",
            organisation_ids=[987654],
            revision=0,
        )
    assert "organisations" in error.value.message_dict
    entry.refresh_from_db()
    assert entry.level is None and entry.revision == 0


def test_validate_lists_the_missing_criteria_then_freezes(bilan, participant, animateur):
    rows = entries(bilan)
    for entry in rows[:-1]:
        services.entry_save(
            entry=entry, user=participant, level=2, evidence="", organisation_ids=[], revision=0
        )
    with pytest.raises(ValidationError) as error:
        services.bilan_validate(bilan=bilan, user=animateur)
    assert rows[-1].criterion.name in error.value.message_dict["entries"][0]
    bilan.refresh_from_db()
    assert bilan.status == BilanStatus.DRAFT
    services.entry_save(
        entry=rows[-1], user=participant, level=1, evidence="", organisation_ids=[], revision=0
    )
    validated = services.bilan_validate(bilan=bilan, user=animateur)
    assert validated.status == BilanStatus.VALIDATED and validated.validated_by == animateur
    with pytest.raises(ValidationError) as error:
        services.entry_save(
            entry=rows[0], user=participant, level=4, evidence="", organisation_ids=[], revision=1
        )
    assert "validé" in error.value.message_dict["level"][0]
    rows[0].refresh_from_db()
    assert rows[0].level == 2


# -- cible ---------------------------------------------------------------------------------


def test_target_set_and_replace(plan, participant, grid_version):
    codes = list(grid_version.criteria.order_by("pk").values_list("code", flat=True))
    services.target_set(
        plan=plan, horizon=Horizon.M36, levels={codes[0]: 3, codes[1]: 4}, user=participant
    )
    services.target_set(
        plan=plan, horizon=Horizon.M36, levels={codes[0]: 2, codes[1]: None}, user=participant
    )
    assert target_levels(plan, Horizon.M36) == {codes[0]: 2}
    assert target_levels(plan, Horizon.END) == {}


def test_target_set_is_all_or_nothing(plan, participant, grid_version):
    codes = list(grid_version.criteria.order_by("pk").values_list("code", flat=True))
    with pytest.raises(ValidationError) as error:
        services.target_set(
            plan=plan,
            horizon=Horizon.M36,
            levels={codes[0]: 3, codes[1]: 5, "inconnu": 2},
            user=participant,
        )
    assert set(error.value.message_dict) == {codes[1], "inconnu"}
    assert not Target.objects.exists()
    with pytest.raises(ValidationError) as error:
        services.target_set(plan=plan, horizon="demain", levels={codes[0]: 3}, user=participant)
    assert "horizon" in error.value.message_dict


# -- trajectoire ---------------------------------------------------------------------------


def action_input(**changes) -> services.ActionInput:
    data = {
        "title": "Cartographier les acteurs",
        "start": TODAY,
        "due": TODAY + datetime.timedelta(days=60),
    }
    data.update(changes)
    return services.ActionInput(**data)


def test_action_create_update_delete(plan, participant, partner, grid_version):
    org = organisation()
    criterion = grid_version.criteria.first()
    before = pages_version(plan.pilot_territory.cohort)
    action = services.action_create(
        plan=plan,
        data=action_input(
            owner_id=partner.pk, partner_ids=(org.pk,), criterion_ids=(criterion.pk,)
        ),
    )
    assert action.owner == partner and list(action.partners.all()) == [org]
    assert list(action.criteria.all()) == [criterion]
    updated = services.action_update(
        action=action, data=action_input(status=ActionStatus.DOING), revision=0
    )
    assert updated.status == ActionStatus.DOING and updated.revision == 1
    assert updated.owner is None and not updated.partners.exists()
    with pytest.raises(ValidationError):  # made from a stale form
        services.action_update(action=action, data=action_input(title="Autre"), revision=0)
    services.action_delete(action=updated)
    assert not Action.objects.exists()
    assert pages_version(plan.pilot_territory.cohort) == before + 3


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("due", {"due": TODAY - datetime.timedelta(days=1)}),
        ("title", {"title": "  "}),
        ("status", {"status": "peut-etre"}),
        ("partners", {"partner_ids": (987654,)}),
        ("start", {"start": None}),
    ],
)
def test_bad_action_input_is_refused(plan, field, changes):
    with pytest.raises(ValidationError) as error:
        services.action_create(plan=plan, data=action_input(**changes))
    assert field in error.value.message_dict
    assert not Action.objects.exists()


def test_the_owner_must_be_of_the_team(plan, participant, outsider, other_participant, animateur):
    for person in (outsider, other_participant, animateur):
        with pytest.raises(ValidationError) as error:
            services.action_create(plan=plan, data=action_input(owner_id=person.pk))
        assert error.value.message_dict["owner"] == [
            "Le ou la responsable doit être membre de l’équipe."
        ]
    assert not Action.objects.exists()
    services.action_create(plan=plan, data=action_input(owner_id=participant.pk))


def test_criteria_of_another_grid_are_refused(plan):
    other = make_grid(slug="autre-grille")
    with pytest.raises(ValidationError) as error:
        services.action_create(
            plan=plan, data=action_input(criterion_ids=(other.criteria.first().pk,))
        )
    assert "criteria" in error.value.message_dict
    assert not Action.objects.exists()


def test_milestones(plan):
    milestone = services.milestone_create(plan=plan, title="Comité de pilotage", date=TODAY)
    services.milestone_update(milestone=milestone, title="Copil", date=TODAY, done=True)
    milestone.refresh_from_db()
    assert (milestone.title, milestone.done) == ("Copil", True)
    with pytest.raises(ValidationError) as error:
        services.milestone_create(plan=plan, title="", date=None)
    assert set(error.value.message_dict) == {"title", "date"}
    services.milestone_delete(milestone=milestone)
    assert not Milestone.objects.exists()


@pytest.mark.usefixtures("frozen")
def test_a_codev_action_joins_the_trajectoire_once(plan, cohort, participant, partner, animateur):
    item = codev_item(cohort, client=participant, animateur=animateur)
    with pytest.raises(ValidationError):  # not the round's client
        services.action_join_codev(plan=plan, item=item, user=partner)
    action = services.action_join_codev(plan=plan, item=item, user=participant)
    assert action.codev_item == item and action.title == item.title
    assert action.start == timezone.localdate() and action.due == item.due
    assert action.owner == participant and action.status == ActionStatus.TODO
    with pytest.raises(ValidationError) as error:
        services.action_join_codev(plan=plan, item=item, user=participant)
    assert "déjà" in error.value.message_dict["item"][0]
    assert Action.objects.count() == 1


# -- personal data --------------------------------------------------------------------------


def test_gdpr_export_and_erase(bilan, participant, grid_version):
    entry = entries(bilan)[0]
    services.entry_save(
        entry=entry, user=participant, level=2, evidence="Preuve", organisation_ids=[], revision=0
    )
    services.action_create(plan=bilan.plan, data=action_input(owner_id=participant.pk))
    personal = services.plan_create_personal(user=participant)
    data = gdpr_export(participant)
    assert data["bilan_changes"][0]["new_evidence"] == "Preuve"
    assert data["actions_owned"][0]["title"] == "Cartographier les acteurs"
    assert data["plans_owned"][0]["plan"] == personal.name
    assert data["bilans_started"][0]["moment"] == BilanMoment.T0
    from alliances.accounts.gdpr import user_export

    assert "diagnostics" in user_export(participant)
    gdpr_erase(participant)
    assert not Plan.objects.filter(pk=personal.pk).exists()
    assert Plan.objects.filter(pk=bilan.plan_id).exists()
    assert EntryChange.objects.filter(user=participant).count() == 1


def test_deleting_an_account_erases_the_personal_plans(bilan, participant):
    from alliances.accounts.services import user_delete

    personal = services.plan_create_personal(user=participant)
    services.entry_save(
        entry=entries(bilan)[0],
        user=participant,
        level=2,
        evidence="",
        organisation_ids=[],
        revision=0,
    )
    user_delete(user=participant)
    assert not Plan.objects.filter(pk=personal.pk).exists()
    # The team's bilan keeps its history, by the anonymised account.
    assert EntryChange.objects.get().user_id == participant.pk


def test_an_unlisted_organisation_is_evidence_only_for_its_members(bilan, participant, partner):
    from alliances.actors.models import Membership

    hidden = Organisation.objects.create(
        name="Collectif discret", type=OrganisationType.ASSOCIATION, is_public=False
    )
    first, second = entries(bilan)[:2]
    with pytest.raises(ValidationError) as error:
        services.entry_save(
            entry=first,
            user=participant,
            level=2,
            evidence="",
            organisation_ids=[hidden.pk],
            revision=0,
        )
    assert "organisations" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.action_create(plan=bilan.plan, data=action_input(partner_ids=(hidden.pk,)))
    Membership.objects.create(user=partner, organisation=hidden, role=Membership.Role.MEMBER)
    services.entry_save(
        entry=second, user=partner, level=2, evidence="", organisation_ids=[hidden.pk], revision=0
    )
    # Kept when someone else saves the entry again.
    services.entry_save(
        entry=second,
        user=participant,
        level=3,
        evidence="",
        organisation_ids=[hidden.pk],
        revision=1,
    )
    assert list(second.organisations.all()) == [hidden]
