"""The services behind the animateur's pages: calendar shift, settings, members, supports."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alliances.journeys.models import (
    Assignment,
    CohortMember,
    CohortPhase,
    CohortRole,
    Registration,
    Session,
    SessionMaterial,
)
from alliances.journeys.services import (
    cohort_member_add,
    cohort_member_remove,
    cohort_member_update,
    cohort_settings_update,
    cohort_shift,
    session_delete,
    session_material_add,
    session_register,
)

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def _local(moment: datetime.datetime) -> tuple[datetime.date, datetime.time]:
    local = timezone.localtime(moment, PARIS)
    return local.date(), local.time()


@pytest.mark.parametrize("days", [84, -84, 1, 200])
def test_shift_keeps_the_paris_wall_clock_across_time_changes(cohort, days):
    delta = datetime.timedelta(days=days)
    before = {s.pk: (_local(s.start), _local(s.end)) for s in cohort.sessions.all()}
    phases = {p.pk: (p.start, p.end) for p in cohort.phases.all()}
    dues = {a.pk: a.due for a in cohort.assignments.all()}
    start, end = cohort.start, cohort.end
    # The cohort starts in January: 84 days later crosses the end of March (summer time).
    crossed = 0
    cohort_shift(cohort=cohort, days=days)
    cohort.refresh_from_db()
    assert (cohort.start, cohort.end) == (start + delta, end + delta)
    for session in Session.objects.filter(cohort=cohort):
        (old_day, old_time), (old_end_day, old_end_time) = before[session.pk]
        assert _local(session.start) == (old_day + delta, old_time)
        assert _local(session.end) == (old_end_day + delta, old_end_time)
        old_offset = datetime.datetime.combine(old_day, old_time, PARIS).utcoffset()
        crossed += session.start.astimezone(PARIS).utcoffset() != old_offset
    for phase in CohortPhase.objects.filter(cohort=cohort):
        assert (phase.start, phase.end) == (
            phases[phase.pk][0] + delta,
            phases[phase.pk][1] + delta,
        )
    for assignment in Assignment.objects.filter(cohort=cohort):
        assert assignment.due == dues[assignment.pk] + delta
    if days == 84:
        assert crossed  # the test does exercise a time change


def test_shift_by_zero_changes_nothing(cohort):
    start = cohort.start
    cohort_shift(cohort=cohort, days=0)
    cohort.refresh_from_db()
    assert cohort.start == start


def test_settings_update_is_all_or_nothing(cohort):
    first = cohort.phases.first()
    assignment = cohort.assignments.first()
    with pytest.raises(ValidationError) as caught:
        cohort_settings_update(
            cohort=cohort,
            name="Nouveau nom",
            status=cohort.status,
            visibility=cohort.visibility,
            end=cohort.end,
            phases={first.pk: (first.start, first.start - datetime.timedelta(days=1))},
            dues={assignment.pk: assignment.due + datetime.timedelta(days=1)},
        )
    assert f"phase-{first.pk}-end" in caught.value.message_dict
    cohort.refresh_from_db()
    assert cohort.name == "Promotion test"
    assert Assignment.objects.get(pk=assignment.pk).due == assignment.due


def test_settings_update_refuses_phases_of_another_cohort(cohort, other_cohort):
    other = other_cohort.phases.first()
    with pytest.raises(ValidationError):
        cohort_settings_update(
            cohort=cohort,
            name=cohort.name,
            status=cohort.status,
            visibility=cohort.visibility,
            end=cohort.end,
            phases={other.pk: (other.start, other.end)},
        )


def test_the_last_animateur_stays(cohort, animateur, intervenant):
    member = CohortMember.objects.get(cohort=cohort, user=animateur)
    with pytest.raises(ValidationError):
        cohort_member_remove(member=member)
    with pytest.raises(ValidationError):
        cohort_member_update(member=member, role=CohortRole.PARTICIPANT, pilot_territory=None)
    cohort_member_add(cohort=cohort, user=intervenant, role=CohortRole.ANIMATEUR)
    cohort_member_update(member=member, role=CohortRole.PARTICIPANT, pilot_territory=None)
    assert CohortMember.objects.get(pk=member.pk).role == CohortRole.PARTICIPANT


def test_member_update_refuses_another_cohorts_territory(cohort, other_cohort, participant):
    from alliances.journeys.services import pilot_territory_add

    elsewhere = pilot_territory_add(cohort=other_cohort, name="Ailleurs")
    member = CohortMember.objects.get(cohort=cohort, user=participant)
    with pytest.raises(ValidationError):
        cohort_member_update(member=member, role=member.role, pilot_territory=elsewhere)


def test_removing_a_member_drops_their_registrations_to_come(cohort, participant):
    session = cohort.sessions.order_by("start").first()
    session_register(session=session, user=participant)
    cohort_member_remove(member=CohortMember.objects.get(cohort=cohort, user=participant))
    assert not Registration.objects.filter(user=participant).exists()


def test_material_is_a_file_or_a_link(cohort, animateur, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    session = cohort.sessions.first()
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")
    with pytest.raises(ValidationError):
        session_material_add(session=session, title="x", added_by=animateur)
    with pytest.raises(ValidationError):
        session_material_add(
            session=session, title="x", file=pdf, url="https://example.org", added_by=animateur
        )
    material = session_material_add(session=session, title="x", file=pdf, added_by=animateur)
    assert material.file.name.startswith("parcours/supports/")


def test_session_delete_removes_its_files(
    cohort, animateur, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    session = cohort.sessions.first()
    material = session_material_add(
        session=session,
        title="x",
        file=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n"),
        added_by=animateur,
    )
    stored = tmp_path / material.file.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        session_delete(session=session)
    assert not stored.exists()
    assert not SessionMaterial.objects.exists()
