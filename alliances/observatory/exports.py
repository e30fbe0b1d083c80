"""Downloads of exactly the results a dashboard shows: CSV (UTF-8 with a BOM, for Excel) and
XLSX (the same table under a header block saying what it is).

One row per group × option (per group for a number question, whose statistic is the mean),
the breakdown's key columns first. The results given are already public or not: a hidden
small cell's figures are empty and its `too_small` true. A results table is small (groups ×
options), so it is written at request time.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from . import analysis

FIGURES = ("share", "se", "ci_low", "ci_high", "n", "weighted_n", "n_eff", "too_small")
MEAN_FIGURES = ("mean", "se", "ci_low", "ci_high", "n", "weighted_n", "n_eff", "too_small")


@dataclass(frozen=True)
class Header:
    """What the header block of an XLSX says: (label, value) lines."""

    lines: Sequence[tuple[str, str]]


def columns(results: analysis.Results) -> list[str]:
    keys = list(results.by)
    if results.question.kind == "number":
        return [*keys, *MEAN_FIGURES]
    return [*keys, "option", "option_label", *FIGURES]


def rows(results: analysis.Results) -> list[list]:
    """The table's rows as Python values (None for a hidden or missing figure)."""
    table = []
    for group in results.groups:
        key = [group.key.get(code, "") for code in results.by]
        base = [group.n, group.weighted_n, group.n_eff, group.too_small]
        if results.question.kind == "number":
            m = group.mean
            figures = [m.value, m.se, m.ci_low, m.ci_high] if m else [None] * 4
            table.append([*key, *figures, *base])
            continue
        for option in group.options:
            table.append([*key, option.code, option.label, option.share, option.se,
                          option.ci_low, option.ci_high, *base])
    return table


def _cell(value) -> str | float | int | bool | None:
    # A label written by an analyst must not run as a formula in a spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(_cell(value))


def results_csv(results: analysis.Results) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns(results))
    for row in rows(results):
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def results_xlsx(results: analysis.Results, header: Header) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Results")[:31]
    bold = Font(bold=True)
    for label, value in header.lines:
        sheet.append([_cell(label), _cell(value)])
        sheet.cell(row=sheet.max_row, column=1).font = bold
    sheet.append([])
    sheet.append(columns(results))
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in rows(results):
        sheet.append([_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
