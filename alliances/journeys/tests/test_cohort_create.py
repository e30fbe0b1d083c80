import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from alliances.journeys.models import (
    Assignment,
    Cohort,
    CohortRole,
    CohortStatus,
    Programme,
    ProgrammeStep,
    Session,
)
from alliances.journeys.services import cohort_create_from_programme, cohort_member_add

from .conftest import START

PARIS = ZoneInfo("Europe/Paris")


def test_phases_sessions_and_assignments_come_from_the_programme(cohort, programme):
    assert cohort.status == CohortStatus.BROUILLON
    assert not cohort.is_public
    assert cohort.slug == "promotion-test"
    phases = list(cohort.phases.all())
    assert [p.name for p in phases] == [
        "Comprendre", "Mettre en œuvre", "Approfondir", "Mettre en perspective",
    ]
    assert phases[0].start == START == cohort.start
    assert phases[-1].end == cohort.end
    assert (cohort.end - cohort.start).days in range(265, 280)
    for before, after in zip(phases, phases[1:], strict=False):
        assert after.start == before.end + datetime.timedelta(days=1)

    steps = ProgrammeStep.objects.filter(phase__programme=programme)
    sessions = list(cohort.sessions.select_related("phase"))
    assignments = list(cohort.assignments.all())
    assert len(sessions) + len(assignments) == steps.count()
    assert {s.kind_id for s in sessions} >= {"apport_theorique", "codeveloppement", "webinaire"}
    for session in sessions:
        assert session.phase.start <= session.start.astimezone(PARIS).date() <= session.phase.end
        assert session.end > session.start
    bilan = next(a for a in assignments if a.kind_id == "bilan")
    assert bilan.due == START + datetime.timedelta(days=60)  # end of M2

    launch = min(sessions, key=lambda s: s.start)
    assert launch.start == datetime.datetime(2027, 1, 7, 9, 30, tzinfo=PARIS)


def test_the_creator_is_animateur(cohort, animateur):
    assert cohort.members.get(user=animateur).role == CohortRole.ANIMATEUR


def test_sessions_stay_at_their_local_time_across_summer_time(programme, animateur):
    # Starts in winter (UTC+1); summer time begins on 28 March 2027 (UTC+2).
    cohort = cohort_create_from_programme(
        programme=programme, name="Hiver-été", start=datetime.date(2027, 1, 4),
        created_by=animateur,
    )
    mornings = cohort.sessions.filter(kind__in=["apport_theorique", "codeveloppement"])
    offsets = set()
    for session in mornings:
        local = session.start.astimezone(PARIS)
        assert (local.hour, local.minute) == (9, 30)
        offsets.add(local.utcoffset())
    assert offsets == {datetime.timedelta(hours=1), datetime.timedelta(hours=2)}
    codev = cohort.sessions.get(kind="codeveloppement")
    assert codev.start.astimezone(datetime.UTC).hour == 7  # 09:30 summer time
    assert (codev.end - codev.start) == datetime.timedelta(minutes=420)


def test_two_cohorts_of_the_same_name_get_distinct_slugs(programme, animateur):
    one = cohort_create_from_programme(programme=programme, name="Promo", start=START,
                                       created_by=animateur)
    two = cohort_create_from_programme(programme=programme, name="Promo", start=START,
                                       created_by=animateur)
    assert (one.slug, two.slug) == ("promo", "promo-2")


def test_a_programme_without_phase_is_refused(db, animateur):
    empty = Programme.objects.create(name="Vide", slug="vide")
    with pytest.raises(ValidationError):
        cohort_create_from_programme(programme=empty, name="X", start=START,
                                     created_by=animateur)
    assert not Cohort.objects.exists()


def test_a_blank_name_is_refused_and_nothing_is_written(programme, animateur):
    with pytest.raises(ValidationError) as error:
        cohort_create_from_programme(programme=programme, name="", start=START,
                                     created_by=animateur)
    assert "name" in error.value.message_dict
    assert not Cohort.objects.exists()
    assert not Session.objects.exists() and not Assignment.objects.exists()


def test_a_pilot_territory_of_another_cohort_is_refused(cohort, other_cohort, outsider):
    territory = cohort.pilot_territories.get()
    with pytest.raises(ValidationError) as error:
        cohort_member_add(cohort=other_cohort, user=outsider, role=CohortRole.PARTICIPANT,
                          pilot_territory=territory)
    assert "pilot_territory" in error.value.message_dict
    assert not other_cohort.members.filter(user=outsider).exists()


def test_adding_a_member_again_changes_the_role(cohort, participant):
    cohort_member_add(cohort=cohort, user=participant, role=CohortRole.OBSERVATEUR)
    assert cohort.members.get(user=participant).role == CohortRole.OBSERVATEUR
    assert cohort.members.filter(user=participant).count() == 1
