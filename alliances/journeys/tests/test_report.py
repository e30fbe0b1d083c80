"""The cohort end report: figures, who sees what, the XLSX, the query count."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from alliances.accounts.services import user_create
from alliances.codev.services import (
    ActionInput,
    action_plan_save,
    round_create,
    round_next_step,
    round_start,
)
from alliances.journeys.models import Attendance, CohortRole, Session, SubmissionStatus
from alliances.journeys.services import (
    cohort_member_add,
    feedback_give,
    pilot_territory_add,
    session_create,
)
from alliances.journeys.submissions import submission_hand_in, submission_review

pytestmark = pytest.mark.django_db


def url(cohort, xlsx=False):
    name = "journeys:cohort_report_xlsx" if xlsx else "journeys:cohort_report"
    return reverse(name, args=[cohort.slug])


@pytest.fixture
def produced(cohort, participant, password, frozen):
    """Two participants; one attended and rated the first session, one work approved."""
    other = user_create(email="p2@example.org", password=password, display_name="=SUM(A1)")
    cohort_member_add(cohort=cohort, user=other, role=CohortRole.PARTICIPANT)
    held = list(Session.objects.filter(cohort=cohort, end__lte=frozen).order_by("start", "pk"))
    Attendance.objects.create(session=held[0], user=participant, present=True)
    feedback_give(session=held[0], user=participant, rating=4, comment="Utile")
    feedback_give(session=held[0], user=other, rating=2)
    assignment = cohort.assignments.order_by("due", "pk").first()
    submission = submission_hand_in(assignment=assignment, user=participant, text="x")
    submission_review(submission=submission, feedback="", status=SubmissionStatus.VALIDE)
    submission_hand_in(assignment=assignment, user=other, text="y")
    return {"held": held, "assignment": assignment, "other": other}


def test_the_report_figures(client, cohort, animateur, produced):
    client.force_login(animateur)
    report = client.get(url(cohort)).context["report"]
    first = report.sessions[0]
    assert len(report.sessions) == len(produced["held"])
    assert (first.present, first.participants) == (1, 2)
    assert first.attendance_rate == 0.5
    assert first.rating_mean == 3 and first.rating_count == 2 and first.comment_count == 1
    work = next(a for a in report.assignments if a.assignment == produced["assignment"])
    assert (work.handed_in, work.approved, work.participants) == (2, 1, 2)
    (territory,) = report.territories
    assert territory.participants == 1


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
def test_a_private_cohort_s_report_is_for_its_members(
    request, client, cohort, other_cohort, who, status
):
    if who:
        client.force_login(request.getfixturevalue(who))
    assert client.get(url(cohort)).status_code == status
    assert client.get(url(cohort, xlsx=True)).status_code == status


def test_a_public_cohort_s_report_is_public_without_per_person_figures(
    client, public_cohort, participant
):
    territory = pilot_territory_add(cohort=public_cohort, name="Jura")
    cohort_member_add(
        cohort=public_cohort,
        user=participant,
        role=CohortRole.PARTICIPANT,
        pilot_territory=territory,
    )
    response = client.get(url(public_cohort))
    page = response.content.decode()
    assert response.status_code == 200 and "Jura" in page
    assert str(participant) not in page and 'id="report-people"' not in page
    sheets = load_workbook(io.BytesIO(client.get(url(public_cohort, xlsx=True)).content))
    assert len(sheets.sheetnames) == 3
    client.force_login(participant)
    assert 'id="report-people"' in client.get(url(public_cohort)).content.decode()


def test_the_workbook_holds_the_same_tables_formulas_neutralised(
    client, cohort, animateur, produced
):
    client.force_login(animateur)
    response = client.get(url(cohort, xlsx=True))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 4
    sessions = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(sessions) == 1 + len(produced["held"])
    assert sessions[1][3:8] == (1, 50, 3, 2, 1)
    people = [row[0] for row in book.worksheets[3].iter_rows(min_row=2, values_only=True)]
    assert "'=SUM(A1)" in people


def test_the_report_has_a_print_stylesheet_and_the_codev_slot(client, cohort, participant):
    client.force_login(participant)
    page = client.get(url(cohort)).content.decode()
    assert "alliances/css/journeys.css" in page
    assert 'id="report-codev"' in page


def test_query_count_is_locked(
    client, cohort, animateur, produced, django_assert_max_num_queries, password
):
    territory = cohort.pilot_territories.get()
    for n in range(6):
        user = user_create(email=f"r{n}@example.org", password=password)
        cohort_member_add(
            cohort=cohort, user=user, role=CohortRole.PARTICIPANT, pilot_territory=territory
        )
    pilot_territory_add(cohort=cohort, name="Autre")
    client.force_login(animateur)
    with django_assert_max_num_queries(18):  # 16, and the co-development rounds
        assert client.get(url(cohort)).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(url(cohort, xlsx=True)).status_code == 200


def test_public_report_query_count(client, public_cohort, django_assert_max_num_queries):
    for n in range(4):
        pilot_territory_add(cohort=public_cohort, name=f"T{n}")
    with django_assert_max_num_queries(10):
        assert client.get(url(public_cohort)).status_code == 200


def test_the_cohort_space_links_the_report_and_the_console(client, cohort, animateur, participant):
    client.force_login(animateur)
    page = client.get(reverse("journeys:cohort", args=[cohort.slug])).content.decode()
    assert url(cohort) in page
    assert reverse("journeys:console", args=[cohort.slug]) in page
    client.force_login(participant)
    page = client.get(reverse("journeys:cohort", args=[cohort.slug])).content.decode()
    assert url(cohort) in page
    assert reverse("journeys:console", args=[cohort.slug]) not in page
    assignment = cohort.assignments.order_by("due", "pk").first()
    assert reverse("journeys:assignment", args=[assignment.pk]) in page


def test_the_report_lists_the_codev_action_plans(
    client, cohort, participant, animateur, other_participant, frozen
):
    session = session_create(
        cohort=cohort,
        kind="codeveloppement",
        title="Co-dév",
        start=frozen - datetime.timedelta(days=2),
        end=frozen - datetime.timedelta(days=2, hours=-3),
    )
    round = round_create(
        session=session,
        client=participant,
        facilitator=animateur,
        problem="Associer les entreprises",
    )
    round = round_start(round=round, now=session.start)
    for _ in range(4):
        round = round_next_step(round=round, now=session.start)
    action_plan_save(
        round=round,
        items=[
            ActionInput(
                "Rencontrer le club d'entreprises", frozen.date() + datetime.timedelta(days=9)
            ),
        ],
    )
    client.force_login(animateur)
    page = client.get(url(cohort)).content.decode()
    assert "Associer les entreprises" in page and "Rencontrer le club d&#x27;entreprises" in page
    assert str(participant) in page  # the client, for the cohort's members
    client.force_login(other_participant)
    assert client.get(url(cohort)).status_code == 404
