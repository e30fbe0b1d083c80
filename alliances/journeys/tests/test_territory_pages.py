"""A pilot territory's page: public with a public cohort, members only otherwise."""

import pytest
from django.urls import reverse

from alliances.accounts.services import user_create
from alliances.journeys.models import Attendance, CohortRole, Session
from alliances.journeys.services import cohort_member_add, pilot_territory_add

pytestmark = pytest.mark.django_db


def url(territory):
    return reverse("journeys:pilot_territory", args=[territory.cohort.slug, territory.pk])


@pytest.fixture
def territory(cohort):
    return cohort.pilot_territories.get()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 404),
        ("outsider", 404),
        ("other_participant", 404),
        ("participant", 200),
        ("intervenant", 200),
        ("animateur", 200),
        ("admin", 200),
    ],
)
def test_a_private_cohort_s_territory_is_for_its_members(
    request, client, cohort, other_cohort, territory, who, status
):
    if who:
        client.force_login(request.getfixturevalue(who))
    assert client.get(url(territory)).status_code == status


def test_the_members_see_the_team_by_name_never_by_e_mail(
    client, territory, participant, animateur
):
    client.force_login(animateur)
    page = client.get(url(territory)).content.decode()
    assert str(participant) in page
    assert participant.email not in page


def test_the_public_sees_a_public_territory_without_the_people(
    client, public_cohort, participant, password
):
    territory = pilot_territory_add(cohort=public_cohort, name="Ardèche")
    cohort_member_add(
        cohort=public_cohort,
        user=participant,
        role=CohortRole.PARTICIPANT,
        pilot_territory=territory,
    )
    response = client.get(url(territory))
    page = response.content.decode()
    assert response.status_code == 200 and "Ardèche" in page
    assert str(participant) not in page and participant.email not in page
    assert "progress" not in response.context or not response.context.get("progress")
    assert response.context["team_count"] == 1


def test_a_territory_of_another_cohort_is_not_found_under_this_slug(
    client, cohort, public_cohort, admin
):
    other = pilot_territory_add(cohort=public_cohort, name="Ailleurs")
    client.force_login(admin)
    bad = reverse("journeys:pilot_territory", args=[cohort.slug, other.pk])
    assert client.get(bad).status_code == 404


def test_the_team_s_progress_for_members(client, cohort, territory, participant, animateur, frozen):
    held = Session.objects.filter(cohort=cohort, end__lte=frozen).order_by("start")
    Attendance.objects.create(session=held[0], user=participant, present=True)
    client.force_login(animateur)
    response = client.get(url(territory))
    assert response.context["sessions_held"] == held.count()
    assert response.context["attendance_rate"] == pytest.approx(1 / held.count())
    (row,) = response.context["progress"]
    assert row.member.user == participant


def test_the_cohort_space_and_the_programme_page_link_the_territories(
    client, cohort, public_cohort, territory, participant, programme
):
    public_territory = pilot_territory_add(cohort=public_cohort, name="Drôme")
    client.force_login(participant)
    assert (
        url(territory)
        in client.get(reverse("journeys:cohort", args=[cohort.slug])).content.decode()
    )
    client.logout()
    page = client.get(reverse("journeys:programme", args=[programme.slug])).content.decode()
    assert url(public_territory) in page and public_cohort.name in page
    assert cohort.name not in page  # private


def test_query_count_is_locked(
    client, cohort, territory, animateur, password, django_assert_max_num_queries
):
    for n in range(8):
        user = user_create(email=f"t{n}@example.org", password=password)
        cohort_member_add(
            cohort=cohort, user=user, role=CohortRole.PARTICIPANT, pilot_territory=territory
        )
    client.force_login(animateur)
    with django_assert_max_num_queries(11):
        assert client.get(url(territory)).status_code == 200


def test_programme_page_query_count(
    client, programme, public_cohort, django_assert_max_num_queries
):
    for n in range(3):
        pilot_territory_add(cohort=public_cohort, name=f"T{n}")
    with django_assert_max_num_queries(6):
        client.get(reverse("journeys:programme", args=[programme.slug]))
