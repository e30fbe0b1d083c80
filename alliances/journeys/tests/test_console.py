"""The animateur's console, attendance taking and exports: who may, bad input, query counts."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from alliances.accounts.services import user_create
from alliances.journeys.models import Attendance, CohortRole, CohortVisibility, Session
from alliances.journeys.services import (
    attendance_record,
    cohort_member_add,
    pilot_territory_add,
    session_create,
    session_register,
    submission_save,
)

PARIS = ZoneInfo("Europe/Paris")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def console_url(cohort) -> str:
    return f"/parcours/{cohort.slug}/animation/"


def attendance_url(session) -> str:
    return f"/parcours/seances/{session.pk}/presences/"


def export_url(cohort, kind="membres", fmt="csv") -> str:
    return f"/parcours/{cohort.slug}/animation/export/{kind}.{fmt}"




@pytest.fixture
def held(cohort, later) -> list[Session]:
    return list(Session.objects.filter(cohort=cohort, end__lte=later).order_by("start", "pk"))


@pytest.fixture
def upcoming(cohort, later) -> Session:
    return Session.objects.filter(cohort=cohort, start__gt=later).order_by("start").first()


# --- who may ----------------------------------------------------------------------------

VIEWS = ["console", "attendance", "export_csv", "export_xlsx"]


def view_url(view, cohort, held) -> str:
    return {
        "console": console_url(cohort),
        "attendance": attendance_url(held[0]),
        "export_csv": export_url(cohort, "presences", "csv"),
        "export_xlsx": export_url(cohort, "membres", "xlsx"),
    }[view]


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("who", ["animateur", "admin"])
def test_the_animateur_and_an_admin_may(client, cohort, held, frozen, view, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(view_url(view, cohort, held)).status_code == 200


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("who", ["participant", "intervenant"])
def test_members_who_do_not_animate_are_forbidden(client, cohort, held, frozen, view, who,
                                                  request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(view_url(view, cohort, held)).status_code == 403


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("who", ["outsider", "other_participant"])
def test_a_private_cohort_is_not_found_by_outsiders(client, cohort, other_cohort, held, frozen,
                                                    view, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(view_url(view, cohort, held)).status_code == 404


@pytest.mark.parametrize("view", VIEWS)
def test_a_public_cohort_is_seen_but_not_managed_by_an_outsider(client, cohort, held, frozen,
                                                                 outsider, view):
    cohort.visibility = CohortVisibility.PUBLIC
    cohort.save()
    client.force_login(outsider)
    assert client.get(view_url(view, cohort, held)).status_code == 403


@pytest.mark.parametrize("view", VIEWS)
def test_anonymous_visitors_are_sent_to_log_in(client, cohort, held, frozen, view):
    url = view_url(view, cohort, held)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/")
    assert "next=" in response["Location"]


@pytest.mark.parametrize("who", ["participant", "intervenant", "outsider", None])
def test_only_the_animateur_may_post_attendance(client, cohort, held, frozen, participant, who,
                                                request):
    if who:
        client.force_login(request.getfixturevalue(who))
    response = client.post(attendance_url(held[0]), {"present": [participant.pk]})
    assert response.status_code in {302, 403, 404}
    if who is None:
        assert response["Location"].startswith("/compte/login/")
    assert not Attendance.objects.exists()


def test_unknown_cohort_or_session_is_not_found(client, admin, frozen):
    client.force_login(admin)
    assert client.get("/parcours/inconnue/animation/").status_code == 404
    assert client.get("/parcours/seances/999999/presences/").status_code == 404


# --- the console ------------------------------------------------------------------------


def test_the_console_shows_figures_people_late_work_and_sessions(
    client, cohort, animateur, participant, held, upcoming, later
):
    with time_machine.travel(later, tick=False):
        attendance_record(session=held[0], present_user_ids=[participant.pk],
                          recorded_by=animateur)
        client.force_login(animateur)
        response = client.get(console_url(cohort))
    assert response.status_code == 200
    body = response.content.decode()
    progress = response.context["progress"]
    assert [p.member.user for p in progress.participants] == [participant]
    (mine,) = progress.participants
    assert mine.sessions_attended == 1 and mine.sessions_held == len(held)
    # The table: a caption, column and row headers, the participant's territory and figures.
    assert "<caption>" in body and 'scope="col"' in body and 'scope="row"' in body
    assert "Territoire pilote" in body and "Val-de-Marne" in body
    assert f"1 / {len(held)} ({round(100 / len(held))}&nbsp;%)" in body
    assert f"{mine.work_done} / {mine.work_due}" in body
    # Late work, by piece of work, with who is late on it.
    assert mine.late and response.context["late"][0].assignment == mine.late[0]
    assert response.context["late"][0].members == [mine.member]
    assert mine.late[0].title in body
    # Sessions held and to come; attendance is taken on those that have started only.
    assert response.context["held"] == held
    assert upcoming in response.context["to_come"]
    for session in held:
        assert f'href="/parcours/seances/{session.pk}/presences/"' in body
    assert f'href="/parcours/seances/{upcoming.pk}/presences/"' not in body
    for kind in ("membres", "presences"):
        for fmt in ("csv", "xlsx"):
            assert f'href="{export_url(cohort, kind, fmt)}"' in body


def test_the_console_before_anything_happened(client, cohort, animateur):
    client.force_login(animateur)
    response = client.get(console_url(cohort))
    assert response.status_code == 200
    assert response.context["held"] == []
    assert response.context["late"] == []
    assert "/presences/" not in response.content.decode()


def test_the_console_only_answers_get(client, cohort, animateur):
    client.force_login(animateur)
    assert client.post(console_url(cohort)).status_code == 405


def _grow(cohort, animateur, later, *, participants: int, sessions: int) -> None:
    """Participants with a territory each pair, sessions held, attendance and work recorded."""
    territories = [pilot_territory_add(cohort=cohort, name=f"Territoire {n}") for n in range(6)]
    users = []
    for n in range(participants):
        user = user_create(email=f"p{n}@example.org", password=None, display_name=f"P {n}")
        cohort_member_add(cohort=cohort, user=user, role=CohortRole.PARTICIPANT,
                          pilot_territory=territories[n % 6])
        users.append(user)
    first = cohort.start + datetime.timedelta(days=1)
    for n in range(sessions):
        start = datetime.datetime.combine(
            first + datetime.timedelta(days=7 * n), datetime.time(14), tzinfo=PARIS
        )
        session_create(cohort=cohort, kind="temps_informel", title=f"Séance {n}", start=start,
                       end=start + datetime.timedelta(hours=2), place=f"Salle {n}")
    with time_machine.travel(later, tick=False):
        held = Session.objects.filter(cohort=cohort, end__lte=later)
        for session in held:
            attendance_record(session=session, present_user_ids=[u.pk for u in users[::2]],
                              recorded_by=animateur)
        for assignment in cohort.assignments.filter(due__lt=later.date())[:2]:
            for user in users[::3]:
                submission_save(assignment=assignment, user=user, text="Fait", submit=True)


def test_the_console_reads_in_a_fixed_number_of_queries(
    client, cohort, animateur, later, django_assert_max_num_queries
):
    with time_machine.travel(later, tick=False):
        client.force_login(animateur)
        with CaptureQueriesContext(connection) as small:
            assert client.get(console_url(cohort)).status_code == 200
    _grow(cohort, animateur, later, participants=12, sessions=12)
    with time_machine.travel(later, tick=False):
        client.force_login(animateur)
        # Without a CSRF cookie the page cache (journeys.pagecache) stands aside: the view
        # itself is measured each time.
        client.cookies.pop("csrftoken", None)
        with django_assert_max_num_queries(20):
            response = client.get(console_url(cohort))
        client.cookies.pop("csrftoken", None)
        with CaptureQueriesContext(connection) as large:
            client.get(console_url(cohort))
    assert response.status_code == 200
    assert len(response.context["progress"].participants) == 13
    assert len(response.context["held"]) >= 12
    assert len(large) == len(small)


# --- taking attendance ------------------------------------------------------------------


@pytest.fixture
def registered_intervenant(cohort, intervenant, held):
    # Registered in real time (before the sessions), so expected at the first one.
    session_register(session=held[0], user=intervenant)
    return intervenant


def test_the_form_lists_participants_and_the_registered_pre_checked(
    client, cohort, animateur, participant, registered_intervenant, held, later
):
    with time_machine.travel(later, tick=False):
        attendance_record(session=held[0], present_user_ids=[registered_intervenant.pk],
                          recorded_by=animateur)
        client.force_login(animateur)
        response = client.get(attendance_url(held[0]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<fieldset" in body and "<legend>" in body
    assert [p["user"] for p in response.context["people"]] == [participant,
                                                                registered_intervenant]
    assert f'<label for="present-{participant.pk}">' in body
    assert (f'value="{registered_intervenant.pk}" id="present-{registered_intervenant.pk}"'
            ' checked>') in body
    assert f'value="{participant.pk}" id="present-{participant.pk}">' in body


def test_attendance_is_recorded_and_leads_back_to_the_console(
    client, cohort, animateur, participant, registered_intervenant, held, later
):
    with time_machine.travel(later, tick=False):
        client.force_login(animateur)
        response = client.post(attendance_url(held[0]), {"present": [participant.pk]})
    assert response.status_code == 302
    assert response["Location"] == console_url(cohort)
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]
    marks = dict(Attendance.objects.filter(session=held[0]).values_list("user_id", "present"))
    assert marks == {participant.pk: True, registered_intervenant.pk: False}
    assert Attendance.objects.get(user=participant).recorded_by == animateur


def test_an_admin_takes_attendance_too(client, cohort, admin, participant, held, frozen):
    client.force_login(admin)
    response = client.post(attendance_url(held[1]), {"present": [participant.pk]})
    assert response.status_code == 302
    assert Attendance.objects.get(session=held[1], user=participant).present


def test_nobody_present_marks_everyone_absent(client, cohort, animateur, participant, held,
                                              frozen):
    client.force_login(animateur)
    assert client.post(attendance_url(held[0]), {}).status_code == 302
    assert not Attendance.objects.get(session=held[0], user=participant).present


def test_a_stranger_cannot_be_marked_present(client, cohort, animateur, participant, outsider,
                                             held, frozen):
    client.force_login(animateur)
    response = client.post(attendance_url(held[0]),
                           {"present": [participant.pk, outsider.pk]})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="alert"' in body
    assert "Seuls les membres de la promotion peuvent être notés présents." in body
    assert not Attendance.objects.exists()


def test_a_malformed_id_is_an_error_not_a_crash(client, cohort, animateur, held, frozen):
    client.force_login(animateur)
    response = client.post(attendance_url(held[0]), {"present": ["x"]})
    assert response.status_code == 200
    assert response.context["errors"]
    assert not Attendance.objects.exists()


def test_attendance_waits_for_the_session_to_start(client, cohort, animateur, participant,
                                                   upcoming, frozen):
    client.force_login(animateur)
    page = client.get(attendance_url(upcoming))
    assert page.status_code == 200
    assert 'name="present"' not in page.content.decode()
    response = client.post(attendance_url(upcoming), {"present": [participant.pk]})
    assert response.status_code == 200
    assert "Les présences se notent une fois la séance commencée." in response.content.decode()
    assert not Attendance.objects.exists()


def test_the_attendance_page_reads_in_a_fixed_number_of_queries(
    client, cohort, animateur, later, django_assert_max_num_queries
):
    _grow(cohort, animateur, later, participants=12, sessions=12)
    session = Session.objects.filter(cohort=cohort, end__lte=later).first()
    with time_machine.travel(later, tick=False):
        client.force_login(animateur)
        with django_assert_max_num_queries(12):
            response = client.get(attendance_url(session))
    assert len(response.context["people"]) == 13


# --- exports ----------------------------------------------------------------------------


@pytest.fixture
def recorded(cohort, animateur, participant, held, frozen):
    attendance_record(session=held[0], present_user_ids=[participant.pk], recorded_by=animateur)
    attendance_record(session=held[1], present_user_ids=[], recorded_by=animateur)


def _csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def test_the_roster_exports_as_csv(client, cohort, animateur, participant, recorded):
    client.force_login(animateur)
    response = client.get(export_url(cohort, "membres", "csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{cohort.slug}-membres.csv"'
    )
    rows = _csv_rows(response)
    assert rows[0][:3] == ["Territoire pilote", "Nom", "E-mail"]
    assert rows[1][:3] == ["Val-de-Marne", str(participant), participant.email]


def test_the_roster_exports_as_xlsx(client, cohort, animateur, participant, recorded):
    client.force_login(animateur)
    response = client.get(export_url(cohort, "membres", "xlsx"))
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == (
        f'attachment; filename="{cohort.slug}-membres.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content))["Liste des membres"]
    assert [c.value for c in sheet[1]][:3] == ["Territoire pilote", "Nom", "E-mail"]
    assert sheet.cell(row=2, column=3).value == participant.email


def test_attendance_exports_as_csv_and_xlsx_with_the_same_marks(
    client, cohort, animateur, participant, held, recorded
):
    client.force_login(animateur)
    response = client.get(export_url(cohort, "presences", "csv"))
    assert response["Content-Disposition"] == (
        f'attachment; filename="{cohort.slug}-presences.csv"'
    )
    rows = _csv_rows(response)
    assert len(rows[0]) == 1 + len(held)
    assert rows[1][:3] == [str(participant), "présent", "absent"]

    response = client.get(export_url(cohort, "presences", "xlsx"))
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content))["Présences"]
    assert [c.value for c in sheet[2]][:3] == rows[1][:3]


@pytest.mark.parametrize("tail", ["inconnu.csv", "membres.pdf", "presences.", "membres",
                                  "membres.csv.xlsx"])
def test_an_unknown_export_is_not_found(client, cohort, animateur, tail):
    client.force_login(animateur)
    assert client.get(f"/parcours/{cohort.slug}/animation/export/{tail}").status_code == 404
