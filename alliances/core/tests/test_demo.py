import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from alliances.accounts.models import User
from alliances.actors.models import Organisation, OrganisationType
from alliances.codev.models import Round
from alliances.core.demo_data import COHORT_NAME, ROLES
from alliances.diagnostics.models import BilanStatus, Plan
from alliances.discussions.models import Thread
from alliances.journeys.models import (
    Attendance,
    Cohort,
    CohortRole,
    CohortStatus,
    Registration,
    Submission,
    SubmissionStatus,
)
from alliances.territories.models import Commune


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """The demo's resources bring PDF files: kept out of var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


def test_demo_loads_pilot_territories_actors_and_one_account_per_role(db, capsys):
    call_command("demo")
    out = capsys.readouterr().out

    assert Commune.objects.filter(departement_id__in=["94", "35", "05"]).count() >= 30
    organisations = Organisation.objects.all()
    assert organisations.count() >= 300
    assert set(organisations.values_list("departement_id", flat=True)) == {"94", "35", "05"}
    assert set(organisations.values_list("type", flat=True)) == set(OrganisationType.values)
    for organisation in organisations.exclude(siret=""):
        organisation.full_clean()  # synthetic identifiers pass the real checks

    assert set(User.objects.values_list("role", flat=True)) == set(User.Role.values)
    for email, _name, _role in ROLES:
        user = User.objects.get(email=email)
        assert user.email in out
        password = out.split(user.email, 1)[1].split()[0]
        assert user.check_password(password)


def test_demo_twice_adds_nothing(db):
    call_command("demo")
    counts = (Organisation.objects.count(), Commune.objects.count(), User.objects.count(),
              Cohort.objects.count(), Registration.objects.count())
    call_command("demo")
    assert (Organisation.objects.count(), Commune.objects.count(), User.objects.count(),
            Cohort.objects.count(), Registration.objects.count()) == counts


@time_machine.travel(datetime.datetime(2026, 11, 25, 10, tzinfo=datetime.UTC), tick=False)
def test_demo_has_a_public_cohort_in_progress(db):
    call_command("demo")
    cohort = Cohort.objects.get()
    assert cohort.name == COHORT_NAME
    assert cohort.is_public and cohort.status == CohortStatus.EN_COURS
    assert cohort.start < timezone.localdate() < cohort.end
    assert 100 <= (timezone.localdate() - cohort.start).days <= 130
    assert cohort.sessions.count() >= 4
    assert cohort.sessions.filter(kind="codeveloppement").exists()

    territories = list(cohort.pilot_territories.select_related("organisation"))
    assert len(territories) == 3
    assert {t.organisation.type for t in territories} == {OrganisationType.CATALYSEUR}
    assert {t.organisation.departement_id for t in territories} == {"94", "35", "05"}
    for territory in territories:
        assert territory.members.filter(role=CohortRole.PARTICIPANT).count() == 2  # a binôme
    participant = cohort.members.get(user__email="participant@alliances.localhost")
    assert participant.role == CohortRole.PARTICIPANT
    assert participant.pilot_territory.organisation.departement_id == "94"  # the first
    assert cohort.members.get(user__email="animateur@alliances.localhost").role == "animateur"

    now = timezone.now()
    assert Attendance.objects.filter(session__end__lte=now, present=True).exists()
    assert not Attendance.objects.filter(session__start__gt=now).exists()
    assert Registration.objects.filter(session__start__gt=now).exists()
    assert Submission.objects.filter(status=SubmissionStatus.RENDU).exists()
    assert Submission.objects.filter(status=SubmissionStatus.VALIDE).exists()

    # A co-development round held a week ago, finished, its client the demo participant.
    round = Round.objects.get(session__cohort=cohort)
    assert round.is_finished and round.session.end < now
    assert round.client == participant.user
    assert round.notes.count() == 6 and round.action_items.count() == 2
    assert round.learnings.count() == 3
    threads = Thread.objects.filter(cohort=cohort)
    assert threads.filter(pilot_territory=None).get().posts.count() == 2
    assert threads.get(pilot_territory=participant.pilot_territory).posts.count() == 1

    # Each pilot territory's validated T0 bilan, cible and first trajectoire.
    plans = Plan.objects.filter(pilot_territory__cohort=cohort)
    assert plans.count() == 3
    for plan in plans:
        bilan = plan.bilans.get()
        assert bilan.status == BilanStatus.VALIDATED
        assert not bilan.entries.filter(level__isnull=True).exists()
        assert plan.targets.count() == bilan.entries.count()
        assert plan.actions.count() == 3 and plan.milestones.count() == 1


@time_machine.travel(datetime.datetime(2026, 11, 25, 10, tzinfo=datetime.UTC), tick=False)
def test_the_cohort_adds_little_to_the_demo_load(db, django_assert_max_num_queries):
    # Counted, not timed: the demo runs at every first start of `alliances serve`.
    from alliances.core import demo_data

    call_command("demo")
    Cohort.objects.all().delete()
    # 2742 measured with seed 1 on this date: 1007 for the cohort, about 580 for each of
    # the three plans (every criterion saved through the services, as a team does).
    with django_assert_max_num_queries(3000):
        demo_data._create_cohort(demo_data.random.Random(1), today=timezone.localdate())
