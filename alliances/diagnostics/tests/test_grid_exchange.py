"""The grid exchange format: JSON and XLSX round trips, located errors, atomic imports,
and the `alliances grid` command."""

import copy
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from alliances.diagnostics.default_grid import DEFAULT_GRID
from alliances.diagnostics.grids import (
    grid_import_data,
    grid_import_file,
    grid_version_data,
    grid_version_draft,
    grid_version_json,
    grid_version_xlsx,
)
from alliances.diagnostics.models import Criterion, Grid, GridVersion, GridVersionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french():
    """Messages read in French, whatever language an earlier request left in the thread."""
    with translation.override("fr"):
        yield


def _structure(data: dict) -> dict:
    """What must survive a round trip: all but the version number."""
    return {key: value for key, value in data.items() if key != "version"} | {
        "note": data["version"]["note"]
    }


def _counts() -> tuple[int, int, int]:
    return Grid.objects.count(), GridVersion.objects.count(), Criterion.objects.count()


def _xlsx(data: dict) -> bytes:
    """A workbook from exchange-format data, through a version written for the purpose."""
    version = grid_import_data(data=data)
    content = grid_version_xlsx(version)
    version.grid.delete()
    return content


def _edit_xlsx(content: bytes, sheet: str, cell: str, value) -> bytes:
    book = load_workbook(io.BytesIO(content))
    book[sheet][cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- round trips ----------------------------------------------------------------------------


def test_json_round_trip_of_the_default_grid():
    v1 = Grid.objects.get(slug="co-construction-territoriale").versions.get()
    exported = grid_version_json(v1)
    v2 = grid_import_file(name="grille.json", content=exported)
    assert (v2.grid_id, v2.number, v2.status) == (v1.grid_id, 2, GridVersionStatus.DRAFT)
    assert _structure(grid_version_data(v2)) == _structure(grid_version_data(v1))
    assert json.loads(exported)["axes"] == DEFAULT_GRID["axes"]
    v1.refresh_from_db()
    assert v1.status == GridVersionStatus.PUBLISHED  # never touched


def test_xlsx_round_trip_of_the_default_grid():
    v1 = Grid.objects.get(slug="co-construction-territoriale").versions.get()
    content = grid_version_xlsx(v1)
    book = load_workbook(io.BytesIO(content), read_only=True)
    assert book.sheetnames == ["grille", "niveaux", "axes", "criteres"]
    header = next(book["criteres"].iter_rows(values_only=True))
    assert list(header) == [
        "axe",
        "code",
        "nom",
        "question",
        "niveau 1",
        "niveau 2",
        "niveau 3",
        "niveau 4",
    ]
    v2 = grid_import_file(name="grille.xlsx", content=content)
    assert v2.number == 2 and v2.status == GridVersionStatus.DRAFT
    assert _structure(grid_version_data(v2)) == _structure(grid_version_data(v1))


def test_a_new_slug_makes_a_new_grid(grid_version):
    data = copy.deepcopy(DEFAULT_GRID)
    data["grid"] = {"slug": "grille-locale", "name": "Grille locale", "description": ""}
    version = grid_import_data(data=data)
    assert version.grid.slug == "grille-locale"
    assert version.number == 1 and version.status == GridVersionStatus.DRAFT
    assert not version.grid.is_default
    assert version.criteria.count() == 28


def test_an_import_is_refused_while_the_grid_has_a_draft(grid_version):
    grid_version_draft(grid=grid_version.grid)
    data = grid_version_data(grid_version)
    before = _counts()
    with pytest.raises(ValidationError, match="a déjà un brouillon de version"):
        grid_import_data(data=data)
    assert _counts() == before


# -- bad JSON -------------------------------------------------------------------------------


def test_broken_json_is_located_by_line_and_column():
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        grid_import_file(name="g.json", content=b'{\n  "grid": {"slug": "x",}\n}')
    assert caught.value.messages == [
        "JSON invalide à la ligne 2, colonne 23 : Illegal trailing comma before end of object."
    ]
    with pytest.raises(ValidationError, match="n’est pas du texte UTF-8"):
        grid_import_file(name="g.json", content="{é}".encode("latin-1"))
    assert _counts() == before


def test_every_structural_error_is_located_by_its_json_path_and_nothing_is_written():
    data = copy.deepcopy(DEFAULT_GRID)
    data["grid"]["slug"] = "nouvelle grille"
    data["levels"][2]["rank"] = 4
    axes = data["axes"]
    axes[1]["code"] = axes[0]["code"]
    axes[2]["criteria"][1]["code"] = axes[2]["criteria"][0]["code"]
    axes[3]["criteria"][0]["levels"][2]["description"] = " "
    del axes[4]["criteria"][2]["levels"][3]
    axes[5]["criteria"][0]["name"] = 42
    axes[6]["criteria"] = []
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        grid_import_data(data=data)
    assert caught.value.messages == [
        "JSON grid.slug : « nouvelle grille » n’est pas un code valide : utilisez uniquement "
        "des lettres, des chiffres, des tirets et des tirets bas.",
        "JSON levels[2].rank : rang 3 attendu (les niveaux sont listés à partir de 1, sans écart).",
        "JSON axes[1].code : le code d’axe « connaissance-territoire » est utilisé deux fois.",
        "JSON axes[2].criteria[1].code : le code de critère « partenariats-diversite » est "
        "utilisé deux fois.",
        "JSON axes[3].criteria[0].levels[2].description : cette valeur est obligatoire.",
        "JSON axes[4].criteria[2].levels : aucune description pour le niveau 4.",
        "JSON axes[5].criteria[0].name : texte attendu.",
        "JSON axes[6].criteria : un axe doit comporter au moins un critère.",
    ]
    assert _counts() == before


def test_wrong_shapes_are_refused():
    for data, message in [
        ([], "JSON (root) : objet attendu."),
        ({"grid": "x", "levels": [], "axes": []}, "JSON grid : objet attendu."),
        (
            {"format": "autre", "grid": {"slug": "a", "name": "A"}, "levels": [], "axes": []},
            "JSON format : « alliances-grid » attendu.",
        ),
    ]:
        with pytest.raises(ValidationError) as caught:
            grid_import_data(data=data)
        assert message in caught.value.messages
    with pytest.raises(ValidationError, match="un fichier .json ou .xlsx est attendu"):
        grid_import_file(name="grille.csv", content=b"a,b")


# -- bad XLSX -------------------------------------------------------------------------------


def test_xlsx_errors_are_located_by_sheet_row_and_column(grid_version):
    content = grid_version_xlsx(grid_version)
    content = _edit_xlsx(content, "criteres", "F3", None)  # criterion 2's level 2
    content = _edit_xlsx(content, "criteres", "B4", "axe-1-critere-1")  # a duplicate code
    content = _edit_xlsx(content, "axes", "C2", "ok")
    content = _edit_xlsx(content, "niveaux", "B3", "")
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        grid_import_file(name="grille.xlsx", content=content)
    assert caught.value.messages == [
        "Feuille « niveaux », ligne 3, colonne B (nom) : cette valeur est obligatoire.",
        "Feuille « criteres », ligne 3, colonne F (niveau 2) : cette valeur est obligatoire.",
        "Feuille « criteres », ligne 4, colonne B (code) : le code de critère « axe-1-critere-1 » "
        "est utilisé deux fois.",
    ]
    assert _counts() == before


def test_xlsx_reading_and_checking_errors_come_together(grid_version):
    content = grid_version_xlsx(grid_version)
    content = _edit_xlsx(content, "criteres", "A5", "axe-9")
    content = _edit_xlsx(content, "criteres", "C2", None)
    with pytest.raises(ValidationError) as caught:
        grid_import_file(name="g.xlsx", content=content)
    assert caught.value.messages == [
        "Feuille « criteres », ligne 5, colonne A (axe) : aucun axe de code « axe-9 » dans la "
        "feuille « axes ».",
        "Feuille « criteres », ligne 2, colonne C (nom) : cette valeur est obligatoire.",
    ]


def test_xlsx_unknown_axis_missing_sheet_and_column(grid_version):
    content = grid_version_xlsx(grid_version)
    with pytest.raises(ValidationError) as caught:
        grid_import_file(name="g.xlsx", content=_edit_xlsx(content, "criteres", "A5", "axe-9"))
    assert caught.value.messages == [
        "Feuille « criteres », ligne 5, colonne A (axe) : aucun axe de code « axe-9 » dans la "
        "feuille « axes »."
    ]
    with pytest.raises(ValidationError) as caught:
        grid_import_file(name="g.xlsx", content=_edit_xlsx(content, "axes", "B1", "titre"))
    assert caught.value.messages == [
        "Feuille « axes », ligne 1 : la colonne « nom » est manquante."
    ]
    book = load_workbook(io.BytesIO(content))
    del book["niveaux"]
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ValidationError) as caught:
        grid_import_file(name="g.xlsx", content=out.getvalue())
    assert "La feuille « niveaux » est manquante." in caught.value.messages
    book = load_workbook(io.BytesIO(content))
    book["niveaux"].delete_rows(2, 4)
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ValidationError) as caught:
        grid_import_file(name="g.xlsx", content=out.getvalue())
    assert "Feuille « niveaux » : au moins un niveau est obligatoire." in caught.value.messages
    with pytest.raises(ValidationError, match="n’est pas un classeur XLSX lisible"):
        grid_import_file(name="g.xlsx", content=b"PK\x03\x04 not really a zip")
    assert GridVersion.objects.filter(grid=grid_version.grid).count() == 1


# -- the command ----------------------------------------------------------------------------


def test_the_command_exports_and_imports(tmp_path, grid_version):
    out = io.StringIO()
    target = tmp_path / "grille.xlsx"
    call_command("grid", "export", "grille-test", "--format", "xlsx", "-o", str(target), stdout=out)
    assert target.read_bytes()[:2] == b"PK"
    call_command(
        "grid",
        "export",
        "grille-test",
        "--version",
        "1",
        "--format",
        "json",
        "-o",
        str(tmp_path / "grille.json"),
        stdout=out,
    )
    assert json.loads((tmp_path / "grille.json").read_text())["grid"]["slug"] == "grille-test"
    call_command("grid", "import", str(target), stdout=out)
    assert "version 2 created as a draft (9 criteria)" in out.getvalue()
    assert grid_version.grid.versions.count() == 2


def test_the_command_reports_every_error_and_imports_nothing(tmp_path, grid_version):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"grid": {"slug": "x"}, "levels": [], "axes": []}))
    before = _counts()
    with pytest.raises(CommandError) as caught:
        call_command("grid", "import", str(bad))
    message = str(caught.value)
    assert "nothing was imported" in message
    assert "JSON grid.name : cette valeur est obligatoire." in message
    assert "JSON levels : au moins un niveau est obligatoire." in message
    assert _counts() == before
    with pytest.raises(CommandError, match="No grid with slug"):
        call_command("grid", "export", "inconnue", "--format", "json", "-o", str(bad))
    with pytest.raises(CommandError, match="has no version 7"):
        call_command(
            "grid", "export", "grille-test", "--version", "7", "--format", "json", "-o", str(bad)
        )
    with pytest.raises(CommandError, match="No such file"):
        call_command("grid", "import", str(tmp_path / "absent.json"))
