import csv
import datetime
import io
from zoneinfo import ZoneInfo

import time_machine
from openpyxl import load_workbook

from alliances.accounts.services import user_create
from alliances.journeys.exports import attendance_table, roster_table, to_csv, to_xlsx
from alliances.journeys.models import CohortRole, Session
from alliances.journeys.services import attendance_record, cohort_member_add

PARIS = ZoneInfo("Europe/Paris")


def months_in(cohort, days=150):
    return datetime.datetime.combine(
        cohort.start + datetime.timedelta(days=days), datetime.time(12), tzinfo=PARIS
    )


def test_roster_csv_and_xlsx_hold_the_same_rows(cohort, participant):
    with time_machine.travel(months_in(cohort), tick=False):
        table = roster_table(cohort)
    text = to_csv(table).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Territoire pilote", "Nom", "E-mail"]
    assert rows[1][2] == participant.email

    sheet = load_workbook(io.BytesIO(to_xlsx([table])))["Liste des membres"]
    assert [c.value for c in sheet[1]][:3] == rows[0][:3]
    assert sheet.cell(row=2, column=3).value == participant.email
    assert sheet.freeze_panes == "A2"


def test_attendance_marks_present_absent_and_unknown(cohort, participant, animateur):
    with time_machine.travel(months_in(cohort), tick=False):
        held = list(Session.objects.filter(cohort=cohort, end__lte=months_in(cohort))
                    .order_by("start"))
        attendance_record(session=held[0], present_user_ids=[participant.pk],
                          recorded_by=animateur)
        attendance_record(session=held[1], present_user_ids=[], recorded_by=animateur)
        table = attendance_table(cohort)
    assert len(table.headers) == 1 + len(held)
    assert table.rows[0][1:3] == ["présent", "absent"]
    assert table.rows[0][3:] == [""] * (len(held) - 2)


def test_formulas_typed_as_names_are_not_run(cohort):
    mallory = user_create(email="m@example.org", password=None, display_name="=HYPERLINK(1)")
    cohort_member_add(cohort=cohort, user=mallory, role=CohortRole.PARTICIPANT)
    with time_machine.travel(months_in(cohort), tick=False):
        table = roster_table(cohort)
    assert "'=HYPERLINK(1)" in to_csv(table).decode("utf-8")
    sheet = load_workbook(io.BytesIO(to_xlsx([table]))).active
    assert "'=HYPERLINK(1)" in [c.value for c in sheet["B"]]
