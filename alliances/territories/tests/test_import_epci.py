"""alliances import-epci: EPCI and their communes from INSEE's XLSX or a CSV."""

from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from alliances.territories.models import Commune, Epci
from alliances.territories.services import communes_import, epcis_import

FILES = Path(__file__).parent / "files"
DEMO = Path(__file__).resolve().parent.parent / "demo"
COMPOSITION = "CODGEO,LIBGEO,EPCI,LIBEPCI,DEP,REG\n"


@pytest.fixture
def communes(db) -> None:
    communes_import(path=FILES / "communes.csv")


def run(*args: str, **options) -> str:
    out = StringIO()
    call_command("import_epci", *args, stdout=out, **options)
    return out.getvalue()


def snapshot() -> tuple:
    return (
        sorted(Epci.objects.values_list("code", "name", "nature")),
        sorted(Commune.objects.values_list("code", "epci_id")),
    )


def epci_of() -> dict[str, str | None]:
    return dict(Commune.objects.values_list("code", "epci_id"))


def insee_xlsx(path: Path, *, rennes_name: str = "Rennes Métropole") -> Path:
    """The layout of 'Intercommunalité - Métropole au 01-01-2024.xlsx'."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "EPCI"
    for title in ["EPCI au 1er janvier 2024", "Source : Insee", "", "", ""]:
        sheet.append([title])
    sheet.append(["EPCI", "LIBEPCI", "NATURE_EPCI", "NB_COM"])
    sheet.append(["200054781", "Métropole du Grand Paris", "METRO", 131])
    sheet.append(["243500139", rennes_name, "METRO", 43])
    sheet.append(["ZZZZZZZZZ", "Sans objet", "ZZ", 4])
    sheet = book.create_sheet("Composition_communale")
    for title in ["Composition communale des EPCI", "Source : Insee", "", "", ""]:
        sheet.append([title])
    sheet.append(["CODGEO", "LIBGEO", "EPCI", "LIBEPCI", "DEP", "REG"])
    sheet.append(["75056", "Paris", "200054781", "Métropole du Grand Paris", "75", "11"])
    sheet.append(["94028", "Créteil", "200054781", "Métropole du Grand Paris", "94", "11"])
    sheet.append(["94080", "Vincennes", "200054781", "Métropole du Grand Paris", "94", "11"])
    sheet.append(["35047", "Bruz", "243500139", rennes_name, "35", "53"])
    sheet.append(["35238", "Rennes", "243500139", rennes_name, "35", "53"])
    sheet.append(["35240", "Le Rheu", "243500139", rennes_name, "35", "53"])
    sheet.append(["97608", "Dzaoudzi", "ZZZZZZZZZ", "Sans objet", "976", "06"])
    book.save(path)
    return path


def test_it_imports_the_insee_xlsx(communes, tmp_path):
    output = run(str(insee_xlsx(tmp_path / "Intercommunalité - Métropole au 01-01-2024.xlsx")))
    assert "EPCI 2 created, 0 updated, 0 unchanged" in output
    assert "communes whose EPCI changed: 6" in output
    assert Epci.objects.get(code="243500139").nature == "METRO"
    links = epci_of()
    assert links["35238"] == links["35240"] == "243500139"
    assert links["94080"] == links["75056"] == "200054781"
    assert links["97608"] is None
    assert links["05118"] is None  # not in the file: untouched


def test_it_imports_a_composition_csv(communes):
    report = epcis_import(path=FILES / "epci.csv")
    assert (report.created, report.updated) == (3, 0)
    assert report.unknown == ["01001"]  # a commune the database does not have: skipped
    assert epci_of()["35047"] == "243500139"
    assert Epci.objects.get(code="243500139").nature == ""


def test_a_list_csv_adds_the_nature_and_keeps_the_links(communes):
    epcis_import(path=FILES / "epci.csv")
    report = epcis_import(path=FILES / "epci_list.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 2, 0)
    assert Epci.objects.get(code="200054781").nature == "METRO"
    assert epci_of()["94028"] == "200054781"
    # and a composition CSV without nature does not erase it
    epcis_import(path=FILES / "epci.csv")
    assert Epci.objects.get(code="200054781").nature == "METRO"


def test_reimport_updates_in_place(communes, tmp_path):
    epcis_import(path=insee_xlsx(tmp_path / "2024.xlsx"))
    before = snapshot()
    report = epcis_import(path=insee_xlsx(tmp_path / "2024.xlsx"))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert report.communes_linked == 0
    assert snapshot() == before

    report = epcis_import(path=insee_xlsx(tmp_path / "2025.xlsx", rennes_name="Rennes Métro"))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert Epci.objects.get(code="243500139").name == "Rennes Métro"


def test_a_commune_moving_to_another_epci(communes, tmp_path):
    epcis_import(path=FILES / "epci.csv")
    path = tmp_path / "epci.csv"
    path.write_text(COMPOSITION + "35047,Bruz,200054781,Métropole du Grand Paris,35,53\n")
    report = epcis_import(path=path)
    assert report.communes_linked == 1
    assert epci_of()["35047"] == "200054781"
    assert report.missing == ["200069193", "243500139"]  # not in this file: kept
    assert Epci.objects.count() == 3


def test_demo_files_import(db):
    communes_import(path=DEMO / "communes.csv", populations_path=DEMO / "populations.csv")
    report = epcis_import(path=DEMO / "epci.csv")
    assert report.unknown == []
    assert report.created == 8
    assert Epci.objects.get(code="243500139").communes.count() == 10
    assert Commune.objects.filter(departement_id="94", epci_id="200054781").count() == 15
    assert Commune.objects.get(code="75056").epci_id == "200054781"


# --- bad input -----------------------------------------------------------------------


def command_error(tmp_path: Path, data: str | bytes, name: str = "epci.csv", **options) -> str:
    epcis_import(path=FILES / "epci.csv")
    before = snapshot()
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    with pytest.raises(CommandError) as info:
        run(str(path), **options)
    assert snapshot() == before
    return str(info.value)


def test_unknown_departement(communes, tmp_path):
    message = command_error(
        tmp_path,
        COMPOSITION
        + "94080,Vincennes,243500139,Rennes Métropole,94,11\n"
        + "94028,Créteil,200054781,Métropole du Grand Paris,99,11\n",
    )
    assert message.startswith("epci.csv, line 3, column DEP: unknown département '99'")


def test_missing_column(communes, tmp_path):
    message = command_error(tmp_path, "CODGEO,LIBGEO,EPCI\n94028,Créteil,200054781\n")
    assert message.startswith("epci.csv, line 1: missing column LIBEPCI")


def test_truncated_row(communes, tmp_path):
    message = command_error(
        tmp_path,
        COMPOSITION
        + "94080,Vincennes,243500139,Rennes Métropole,94,11\n"
        + "94028,Créteil,200054781\n",
    )
    assert message.startswith("epci.csv, line 3: truncated row: 3 fields, 6 expected")


def test_invalid_siren(communes, tmp_path):
    message = command_error(tmp_path, COMPOSITION + "94028,Créteil,2000547,MGP,94,11\n")
    assert "line 2, column EPCI: invalid EPCI SIREN '2000547'" in message


def test_latin1_without_and_with_encoding(communes, tmp_path):
    data = (COMPOSITION + "94028,Créteil,200054781,Métropole du Grand Paris,94,11\n").encode(
        "latin-1"
    )
    message = command_error(tmp_path, data)
    assert message.startswith("epci.csv, line 2: the file is not UTF-8")
    run(str(tmp_path / "epci.csv"), encoding="cp1252")
    assert Epci.objects.get(code="200054781").name == "Métropole du Grand Paris"


def test_xlsx_without_composition_sheet(communes, tmp_path):
    path = tmp_path / "epci.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "EPCI"
    book.active.append(["EPCI", "LIBEPCI", "NATURE_EPCI", "NB_COM"])
    book.save(path)
    message = command_error(tmp_path, path.read_bytes(), name="epci.xlsx")
    assert message.startswith("epci.xlsx: sheet 'Composition_communale' not found")
