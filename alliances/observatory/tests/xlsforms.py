"""XLSForm workbooks built with openpyxl for the tests (and the demo's sample form).

`build_xlsform` writes a workbook from rows given as dicts (a header is the union of the
rows' keys, in first-seen order), so that a test states only the cells it is about. The row
numbers pyxform and the reader report are spreadsheet rows: the header is row 1, the first
dict row 2.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO

from openpyxl import Workbook

Rows = Sequence[Mapping[str, object]]

FR = "label::French (fr)"

# The 13 metropolitan regions, INSEE codes (COG 2024).
REGIONS = (
    ("11", "Île-de-France"),
    ("24", "Centre-Val de Loire"),
    ("27", "Bourgogne-Franche-Comté"),
    ("28", "Normandie"),
    ("32", "Hauts-de-France"),
    ("44", "Grand Est"),
    ("52", "Pays de la Loire"),
    ("53", "Bretagne"),
    ("75", "Nouvelle-Aquitaine"),
    ("76", "Occitanie"),
    ("84", "Auvergne-Rhône-Alpes"),
    ("93", "Provence-Alpes-Côte d'Azur"),
    ("94", "Corse"),
)
SIZES = (
    ("moins_1000", "Moins de 1 000 habitants"),
    ("1000_3500", "De 1 000 à 3 499 habitants"),
    ("3500_10000", "De 3 500 à 9 999 habitants"),
    ("plus_10000", "10 000 habitants et plus"),
)
DYNAMIQUE = (
    ("oui", "Oui"),
    ("plutot_oui", "Plutôt oui"),
    ("plutot_non", "Plutôt non"),
    ("non", "Non"),
)
PARTNERS = (
    ("associations", "Des associations"),
    ("entreprises", "Des entreprises"),
    ("etablissements_scolaires", "Des établissements scolaires"),
    ("acteurs_academiques", "Des acteurs académiques (universités, laboratoires)"),
    ("autres_collectivites", "D'autres collectivités territoriales"),
    ("services_etat", "Des services de l'État"),
    ("fondations", "Des fondations"),
    ("citoyens", "Des citoyens ou collectifs d'habitants"),
)


def _sheet(workbook: Workbook, title: str, rows: Rows, *, first: bool = False) -> None:
    sheet = workbook.active if first else workbook.create_sheet(title)
    sheet.title = title
    header: list[str] = list(dict.fromkeys(key for row in rows for key in row))
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(key) for key in header])


def build_xlsform(
    path_or_buffer: str | Path | IO[bytes] | None,
    survey_rows: Rows,
    choices_rows: Rows = (),
    settings: Mapping[str, object] | None = None,
    *,
    extra_sheets: Mapping[str, Rows] | None = None,
) -> bytes:
    """The .xlsx bytes of a form with these `survey` and `choices` rows (and a one-row
    `settings` sheet if given); written to `path_or_buffer` too unless it is None.
    A `choices` sheet is written only if there are choice rows."""
    workbook = Workbook()
    _sheet(workbook, "survey", survey_rows, first=True)
    if choices_rows:
        _sheet(workbook, "choices", choices_rows)
    if settings:
        _sheet(workbook, "settings", [settings])
    for title, rows in (extra_sheets or {}).items():
        _sheet(workbook, title, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    if isinstance(path_or_buffer, str | Path):
        Path(path_or_buffer).write_bytes(data)
    elif path_or_buffer is not None:
        path_or_buffer.write(data)
    return data


def choices(list_name: str, options: Iterable[tuple[str, str]], *,
            label: str = FR) -> list[dict[str, object]]:
    return [{"list_name": list_name, "name": code, label: text} for code, text in options]


def sample_survey_rows() -> list[dict[str, object]]:
    """The mayors' barometer: two attributes in a group, q4 and q14 in another, then q20 and
    q30; metadata and a note as a real Kobo form has them."""
    return [
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
        {"type": "note", "name": "intro", FR: "Merci de prendre quelques minutes pour "
         "répondre à ce questionnaire de l'Observatoire des partenariats."},
        {"type": "begin group", "name": "commune", FR: "Votre commune"},
        {"type": "select_one regions", "name": "region", FR: "Région", "required": "yes"},
        {"type": "select_one tailles", "name": "taille_commune",
         FR: "Taille de la commune", "required": "yes"},
        {"type": "end group"},
        {"type": "begin group", "name": "partenariats", FR: "Vos partenariats"},
        {"type": "select_one dynamique", "name": "q4",
         FR: "Votre territoire est-il porteur d'une dynamique de co-construction entre "
             "acteurs ?", "required": "yes",
         "hint::French (fr)": "La co-construction associe les acteurs dès la conception "
                              "d'un projet."},
        {"type": "select_multiple partenaires", "name": "q14",
         FR: "Avec quels types d'organisations votre commune développe-t-elle des "
             "partenariats ?", "hint::French (fr)": "Plusieurs réponses possibles."},
        {"type": "end group"},
        {"type": "integer", "name": "q20",
         FR: "Combien de partenariats votre commune a-t-elle noués depuis un an ?"},
        {"type": "text", "name": "q30", FR: "Un commentaire sur vos partenariats ?"},
    ]


def sample_choices_rows() -> list[dict[str, object]]:
    return [
        *choices("regions", REGIONS),
        *choices("tailles", SIZES),
        *choices("dynamique", DYNAMIQUE),
        *choices("partenaires", PARTNERS),
    ]


SAMPLE_SETTINGS = {
    "form_title": "Baromètre des maires et des partenariats",
    "form_id": "barometre_maires",
    "default_language": "French (fr)",
}


def sample_xlsform_bytes(path_or_buffer: str | Path | IO[bytes] | None = None) -> bytes:
    """A realistic mayors' form (attributes region and taille_commune; q4 single choice,
    q14 multiple choice of 8 partners, q20 integer, q30 text)."""
    return build_xlsform(path_or_buffer, sample_survey_rows(), sample_choices_rows(),
                         SAMPLE_SETTINGS)
