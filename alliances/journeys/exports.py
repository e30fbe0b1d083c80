"""The animateur's exports: roster and attendance of a cohort, as CSV and XLSX.

Tables are built once (headers + rows of plain values) and written by either writer, so
both files always hold the same figures. CSV is UTF-8 with a BOM and `;` separators, the
form French spreadsheet users open with a double click.
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .models import Attendance, Cohort, Session
from .selectors import cohort_progress

Value = str | int | float | None


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Value]]


def roster_table(cohort: Cohort) -> Table:
    progress = cohort_progress(cohort)
    rows: list[list[Value]] = []
    for p in progress.participants:
        territory = p.member.pilot_territory
        rate = p.attendance_rate
        rows.append([
            territory.name if territory else "",
            str(p.member.user),
            p.member.user.email,
            p.member.get_role_display(),
            round(rate * 100) if rate is not None else None,
            p.work_done,
            p.work_due,
            ", ".join(a.title for a in p.late),
        ])
    headers = [_("Pilot territory"), _("Name"), _("E-mail"), _("Role"), _("Attendance (%)"),
               _("Work handed in"), _("Work due"), _("Late")]
    return Table(title=_("Roster"), headers=headers, rows=rows)


def attendance_table(cohort: Cohort) -> Table:
    """One row per participant, one column per session held: present, absent or blank."""
    progress = cohort_progress(cohort)
    sessions = list(
        Session.objects.filter(cohort=cohort, end__lte=timezone.now()).order_by("start", "pk")
    )
    marks = {
        (a.user_id, a.session_id): a.present
        for a in Attendance.objects.filter(session__in=sessions).only(
            "user_id", "session_id", "present"
        )
    }
    headers = [_("Participant")] + [
        f"{timezone.localtime(s.start):%Y-%m-%d} {s.title}" for s in sessions
    ]
    rows: list[list[Value]] = []
    for p in progress.participants:
        row: list[Value] = [str(p.member.user)]
        for session in sessions:
            mark = marks.get((p.member.user_id, session.pk))
            row.append("" if mark is None else _("present") if mark else _("absent"))
        rows.append(row)
    return Table(title=_("Attendance"), headers=headers, rows=rows)


def _safe(value: Value) -> Value:
    """Text that a spreadsheet would run as a formula is quoted (CSV/formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerows([[_safe(v) for v in row] for row in table.rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(tables: Sequence[Table]) -> bytes:
    workbook = Workbook(write_only=False)
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(title=table.title[:31])
        sheet.append(table.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_safe(v) for v in row])
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 50)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
