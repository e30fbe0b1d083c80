"""The audit log: one line per role change, publication, account deletion and Django admin
action, written in the act's transaction, with who and from where; read-only, admins only;
pruned after AUDIT_RETENTION_DAYS."""

import datetime

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from alliances.accounts.models import User
from alliances.accounts.services import user_create, user_delete
from alliances.actors.services import membership_add, organisation_create
from alliances.core import audit
from alliances.core.models import AuditAction, AuditEvent
from alliances.journeys.models import CohortRole, Programme
from alliances.journeys.services import (
    cohort_create_from_programme,
    cohort_member_add,
    cohort_member_remove,
    cohort_member_update,
)
from alliances.observatory.services import wave_publish, wave_set_status
from alliances.observatory.testing import make_wave
from alliances.partnerships.models import AllianceForm, AllianceType
from alliances.partnerships.services import PartnerSpec, alliance_create, alliance_update
from alliances.resources.models import ResourceStatus
from alliances.resources.services import resource_create, resource_publish, resource_unpublish
from alliances.territories.models import Departement

START = datetime.date(2027, 1, 4)


def lines(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


@pytest.fixture
def cohort(animateur):
    programme = Programme.objects.get(slug="parcours-co-construction")
    return cohort_create_from_programme(programme=programme, name="Promotion test",
                                        start=START, created_by=animateur)


# -- the services write their lines ---------------------------------------------------------


def test_a_platform_role_other_than_participant_is_recorded_at_creation(db):
    user_create(email="p@example.org", password=None)
    analyst = user_create(email="a@example.org", password=None, role=User.Role.ANALYSTE)
    [line] = lines(AuditAction.PLATFORM_ROLE)
    assert (line.target_id, line.changes, line.actor, line.actor_label) == (
        str(analyst.pk), {"role": "analyste"}, None, "system")
    assert line.target_label == f"a@example.org (#{analyst.pk})"


def test_cohort_roles_are_recorded_when_they_change(cohort, animateur, participant):
    member = cohort_member_add(cohort=cohort, user=participant, role=CohortRole.PARTICIPANT)
    cohort_member_add(cohort=cohort, user=participant, role=CohortRole.PARTICIPANT)  # same
    cohort_member_update(member=member, role=CohortRole.ANIMATEUR, pilot_territory=None)
    member_pk = str(member.pk)
    cohort_member_remove(member=member)
    roles = [(e.target_id, e.changes["role"]) for e in lines(AuditAction.COHORT_ROLE)]
    creator = cohort.members.get(user=animateur)
    assert roles == [
        (str(creator.pk), [None, "animateur"]),
        (member_pk, [None, "participant"]),
        (member_pk, ["participant", "animateur"]),
        (member_pk, ["animateur", None]),
    ]
    assert "Promotion test" in lines(AuditAction.COHORT_ROLE)[-1].target_label


def test_organisation_roles_are_recorded_when_they_change(participant):
    organisation = organisation_create(name="Ateliers du Val", type="association",
                                       created_by=participant)
    membership_add(organisation=organisation, user=participant, role="manager")  # same
    membership_add(organisation=organisation, user=participant, role="member")
    changes = [e.changes for e in lines(AuditAction.ORGANISATION_ROLE)]
    assert changes == [
        {"organisation": organisation.pk, "role": [None, "manager"]},
        {"organisation": organisation.pk, "role": ["manager", "member"]},
    ]


def test_publishing_and_unpublishing_a_resource(participant, admin):
    resource = resource_create(by=participant, kind="methode", title="Méthode",
                               status=ResourceStatus.SUBMITTED, index=False)
    resource_publish(resource=resource, by=admin)
    resource_unpublish(resource=resource, by=admin, reason="Une erreur")
    [published] = lines(AuditAction.RESOURCE_PUBLISHED)
    [unpublished] = lines(AuditAction.RESOURCE_UNPUBLISHED)
    assert (published.actor, published.target_id, published.target_label) == (
        admin, str(resource.pk), "Méthode")
    assert unpublished.actor == admin


def test_publishing_and_withdrawing_a_survey_wave(analyste):
    wave = make_wave(analyste, n=40)
    wave = wave_publish(wave=wave, by=analyste)
    wave_set_status(wave=wave, status="close", by=analyste)
    [published] = lines(AuditAction.WAVE_PUBLISHED)
    [withdrawn] = lines(AuditAction.WAVE_WITHDRAWN)
    assert published.changes == {"status": ["close", "publiee"]}
    assert withdrawn.changes == {"status": ["publiee", "close"]}
    assert published.actor == withdrawn.actor == analyste


def alliance_spec() -> dict:
    a = organisation_create(name="Asso A", type="association")
    b = organisation_create(name="Fondation B", type="fondation")
    return {"type": AllianceType.MECENAT, "form": AllianceForm.PARTENARIAT,
            "start_date": START, "partners": [PartnerSpec(a), PartnerSpec(b)],
            "departement": Departement.objects.get(code="94")}


def test_an_alliance_made_public_is_recorded(participant):
    spec = alliance_spec()
    public = alliance_create(title="Publique", created_by=participant, **spec)
    private = alliance_create(title="Privée", is_public=False, **spec)
    assert [e.target_id for e in lines(AuditAction.ALLIANCE_PUBLIC)] == [str(public.pk)]
    alliance_update(alliance=private, data={"title": "Privée, renommée"})
    alliance_update(alliance=private, data={"is_public": True})
    alliance_update(alliance=private, data={"title": "Publique aussi"})  # already public
    assert [e.target_id for e in lines(AuditAction.ALLIANCE_PUBLIC)] == [
        str(public.pk), str(private.pk)]


def test_an_account_deletion_is_recorded_and_the_log_forgets_the_address(cohort, participant):
    cohort_member_add(cohort=cohort, user=participant, role=CohortRole.PARTICIPANT)
    user_delete(user=participant)
    [line] = lines(AuditAction.ACCOUNT_DELETED)
    assert (line.target_id, line.target_label) == (str(participant.pk), f"#{participant.pk}")
    assert not AuditEvent.objects.filter(target_label__contains="participant@example.org")
    assert not AuditEvent.objects.filter(actor_label__contains="participant@example.org")
    role = lines(AuditAction.COHORT_ROLE)[-1]
    assert role.target_label.startswith(f"deleted account (#{participant.pk})")


def test_a_line_rolls_back_with_its_act(cohort, participant):
    with pytest.raises(RuntimeError), transaction.atomic():
        cohort_member_add(cohort=cohort, user=participant, role=CohortRole.PARTICIPANT)
        raise RuntimeError("the caller fails after the service")
    assert not AuditEvent.objects.filter(target_label__contains="participant@").exists()


def test_secrets_never_reach_the_log(db):
    line = audit.record(AuditAction.ADMIN_CHANGE, target_label="x", changes={
        "password": "hunter2", "fields": ["a"],
        "nested": {"api_token": "t", "Secret": "s", "resume_key": "k", "kept": 1},
    })
    line.refresh_from_db()
    assert line.changes == {"fields": ["a"], "nested": {"kept": 1}}


def test_an_unknown_action_is_refused(db):
    with pytest.raises(ValueError):
        audit.record("something_else")


# -- who and from where: the request being served -------------------------------------------


def test_the_actor_and_address_come_from_the_request(client, cohort, animateur, participant):
    member = cohort_member_add(cohort=cohort, user=participant, role=CohortRole.PARTICIPANT)
    client.force_login(animateur)
    response = client.post(
        reverse("journeys:cohort_teams", kwargs={"slug": cohort.slug}),
        {"action": "member", "member": member.pk, f"member-{member.pk}-role": "intervenant",
         f"member-{member.pk}-pilot_territory": ""},
        REMOTE_ADDR="198.51.100.7",
    )
    assert response.status_code == 302
    line = lines(AuditAction.COHORT_ROLE)[-1]
    assert (line.actor, line.actor_label, line.ip, line.changes["role"]) == (
        animateur, f"animateur@example.org (#{animateur.pk})", "198.51.100.7",
        ["participant", "intervenant"])


# -- the Django admin is mirrored -----------------------------------------------------------


def test_a_platform_role_changed_in_the_admin(client, admin, participant):
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_change", args=[participant.pk]),
        {"email": participant.email, "display_name": "Paul P.", "home_commune": "",
         "role": "animateur", "is_active": "on",
         "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00"},
    )
    assert response.status_code == 302
    [line] = lines(AuditAction.PLATFORM_ROLE)[-1:]
    assert line.target_id == str(participant.pk) and line.actor == admin
    assert line.changes["role"] == "animateur" and line.changes["is_superuser"] is False
    assert line.ip == "127.0.0.1"
    assert LogEntry.objects.filter(object_id=str(participant.pk)).count() == 1


def test_a_plain_admin_change_and_addition(client, admin, participant, password):
    client.force_login(admin)
    client.post(
        reverse("admin:accounts_user_change", args=[participant.pk]),
        {"email": participant.email, "display_name": "Paul P.", "home_commune": "",
         "role": "participant", "is_active": "on",
         "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00"},
    )
    [change] = lines(AuditAction.ADMIN_CHANGE)
    assert change.target_id == str(participant.pk) and change.changes["fields"]
    client.post(reverse("admin:accounts_user_add"), {
        "email": "new@example.org", "display_name": "New", "role": "participant",
        "usable_password": "true", "password1": password, "password2": password,
    })
    [added] = lines(AuditAction.ADMIN_ADDITION)
    assert added.target_label == "New" or "new@example.org" in added.target_label
    assert "password" not in str(added.changes)


def test_a_bulk_deletion_in_the_admin_gives_a_line_per_object(client, admin):
    spec = alliance_spec()
    a = alliance_create(title="Alliance A", **spec)
    b = alliance_create(title="Alliance B", **spec)
    client.force_login(admin)
    response = client.post(reverse("admin:partnerships_alliance_changelist"), {
        "action": "delete_selected", "_selected_action": [a.pk, b.pk], "post": "yes",
    })
    assert response.status_code == 302
    deleted = lines(AuditAction.ADMIN_DELETION)
    assert sorted((e.target_id, e.target_label) for e in deleted) == [
        (str(a.pk), "Alliance A"), (str(b.pk), "Alliance B")]
    assert all(e.actor == admin for e in deleted)


# -- who may read it ------------------------------------------------------------------------


def test_only_admins_read_the_log_and_nobody_writes_it(client, admin, animateur, analyste,
                                                       participant, outsider):
    line = audit.record(AuditAction.LOGIN_LOCKOUT, target=participant, actor=None)
    changelist = reverse("admin:core_auditevent_changelist")
    detail = reverse("admin:core_auditevent_change", args=[line.pk])
    assert client.get(changelist).status_code == 302  # anonymous: to the admin's sign-in
    for person in (animateur, analyste, participant, outsider):
        client.force_login(person)
        response = client.get(changelist)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(admin)
    response = client.get(changelist)
    assert response.status_code == 200 and str(participant) in response.text
    assert client.get(detail).status_code == 200
    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:core_auditevent_delete", args=[line.pk]),
                       {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=line.pk).exists()


# -- retention ------------------------------------------------------------------------------


def test_prune_drops_the_lines_older_than_the_retention(db, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(days=31)):
        old = audit.record(AuditAction.ADMIN_CHANGE, target_label="old")
    with time_machine.travel(now - datetime.timedelta(days=29)):
        kept = audit.record(AuditAction.ADMIN_CHANGE, target_label="kept")
    assert audit.prune(now=now) == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not AuditEvent.objects.filter(pk=old.pk).exists()


def test_the_audit_prune_command(db, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.AUDIT_RETENTION_DAYS = 1
    with time_machine.travel(timezone.now() - datetime.timedelta(days=2)):
        audit.record(AuditAction.ADMIN_CHANGE, target_label="old")
    audit.record(AuditAction.ADMIN_CHANGE, target_label="new")
    out = StringIO()
    call_command("audit_prune", stdout=out)
    assert out.getvalue().startswith("1 ")
    assert list(AuditEvent.objects.values_list("target_label", flat=True)) == ["new"]
