"""Readers of INSEE's territorial files: shapes, encodings, located errors. No database."""

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from alliances.lib.cog import (
    ImportFileError,
    read_communes,
    read_epci,
    read_populations,
)

HEADER = "TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT\n"
CRETEIL = "COM,94028,11,94,94D,941,0,CRETEIL,Créteil,Créteil,9409,\n"


def write(tmp_path: Path, text: str, name: str = "communes.csv", encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def error_of(call, *args, **kwargs) -> ImportFileError:
    """The error a reader raises, whether it is a generator or not."""
    with pytest.raises(ImportFileError) as info:
        result = call(*args, **kwargs)
        if isinstance(result, Iterator):
            list(result)
    return info.value


def test_error_message_names_file_line_and_column():
    error = ImportFileError("unknown département '99'", file="communes.csv", line=12, column="DEP")
    assert str(error) == "communes.csv, line 12, column DEP: unknown département '99'"
    assert str(ImportFileError("empty", file="a.csv")) == "a.csv: empty"


def test_it_reads_communes_and_subdivisions(tmp_path):
    path = write(
        tmp_path,
        HEADER
        + CRETEIL
        + "COM,05118,93,05,05D,052,0,VAL BUECH MEOUGE,Val Buëch-Méouge,Val Buëch-Méouge,0511,\n"
        + "COMD,05118,,,,,0,RIBIERS,Ribiers,Ribiers,,05118\n"
        + "COMA,05999,,,,,0,HAMEAU,Hameau,Hameau,,05118\n"
        + "ARM,75101,,,,,0,PARIS 1ER,Paris 1er Arrondissement,Paris 1er Arrondissement,,75056\n"
        + "COM,2A004,94,2A,20R,2A1,1,AJACCIO,Ajaccio,Ajaccio,2A99,\n",
    )
    rows = list(read_communes(path))
    assert [(r.kind, r.code) for r in rows] == [
        ("COM", "94028"),
        ("COM", "05118"),
        ("COMD", "05118"),
        ("COMA", "05999"),
        ("ARM", "75101"),
        ("COM", "2A004"),
    ]
    creteil = rows[0]
    assert (creteil.line, creteil.region, creteil.departement, creteil.name) == (
        2,
        "11",
        "94",
        "Créteil",
    )
    assert rows[2].parent == "05118"
    assert rows[-1].departement == "2A"


def test_columns_in_any_order_and_extra_columns_ignored(tmp_path):
    path = write(
        tmp_path, "EXTRA,LIBELLE,COMPARENT,DEP,REG,COM,TYPECOM\nx,Créteil,,94,11,94028,COM\n"
    )
    [row] = read_communes(path)
    assert (row.code, row.departement, row.region, row.name) == ("94028", "94", "11", "Créteil")


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "communes.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + CRETEIL).encode())
    assert [row.code for row in read_communes(path)] == ["94028"]


def test_blank_lines_are_skipped_and_crlf_accepted(tmp_path):
    path = write(tmp_path, (HEADER + "\n" + CRETEIL).replace("\n", "\r\n"))
    [row] = read_communes(path)
    assert row.line == 3


def test_missing_column_is_named(tmp_path):
    path = write(tmp_path, HEADER.replace("DEP,", "") + CRETEIL)
    error = error_of(read_communes, path)
    assert (error.file, error.line) == ("communes.csv", 1)
    assert error.reason.startswith("missing column DEP")


def test_empty_file(tmp_path):
    assert "empty" in str(error_of(read_communes, write(tmp_path, "")))


def test_truncated_row(tmp_path):
    path = write(tmp_path, HEADER + CRETEIL + "COM,94080,11,94,94D\n")
    error = error_of(read_communes, path)
    assert str(error) == "communes.csv, line 3: truncated row: 5 fields, 12 expected"


def test_too_many_fields(tmp_path):
    path = write(tmp_path, HEADER + CRETEIL.rstrip("\n") + ",Val\n")
    assert "line 2: too many fields: 13, 12 expected" in str(error_of(read_communes, path))


def test_a_trailing_empty_field_is_tolerated(tmp_path):
    path = write(tmp_path, HEADER + CRETEIL.rstrip("\n") + ",\n")
    assert [row.code for row in read_communes(path)] == ["94028"]


def test_unknown_typecom(tmp_path):
    path = write(tmp_path, HEADER + CRETEIL.replace("COM,", "XYZ,", 1))
    assert str(error_of(read_communes, path)) == (
        "communes.csv, line 2, column TYPECOM: unknown TYPECOM 'XYZ' "
        "(expected COM, ARM, COMD or COMA)"
    )


def test_invalid_commune_code(tmp_path):
    path = write(tmp_path, HEADER + CRETEIL.replace("94028", "9402"))
    assert "column COM: invalid commune code '9402'" in str(error_of(read_communes, path))


def test_commune_without_departement(tmp_path):
    path = write(tmp_path, HEADER + CRETEIL.replace(",94,", ",,"))
    assert "column DEP: empty département code" in str(error_of(read_communes, path))


def test_subdivision_without_parent(tmp_path):
    path = write(tmp_path, HEADER + "COMD,05118,,,,,0,RIBIERS,Ribiers,Ribiers,,\n")
    assert "column COMPARENT" in str(error_of(read_communes, path))


def test_non_utf8_bytes_are_refused_with_the_line_and_the_option(tmp_path):
    path = write(tmp_path, HEADER + CRETEIL, encoding="latin-1")
    error = error_of(read_communes, path)
    assert error.line == 2
    assert "not UTF-8" in error.reason
    assert "--encoding latin-1" in error.reason


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "ISO-8859-1"])
def test_latin1_is_read_when_named(tmp_path, encoding):
    path = write(tmp_path, HEADER + CRETEIL, encoding="latin-1")
    [row] = read_communes(path, encoding=encoding)
    assert row.name == "Créteil"


def test_cp1252_only_characters(tmp_path):
    text = HEADER + "COM,35999,53,35,35D,,0,BOEUF,Bœuf,Bœuf,,\n"
    path = write(tmp_path, text, encoding="cp1252")
    [row] = read_communes(path, encoding="cp1252")
    assert row.name == "Bœuf"


def test_utf8_file_with_latin1_option_is_refused(tmp_path):
    path = tmp_path / "communes.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + CRETEIL).encode())
    assert "byte-order mark" in str(error_of(read_communes, path, encoding="latin-1"))


def test_unknown_encoding(tmp_path):
    path = write(tmp_path, HEADER + CRETEIL)
    assert "unknown encoding 'klingon'" in str(error_of(read_communes, path, encoding="klingon"))


# --- populations ----------------------------------------------------------------------


def test_populations_with_semicolons(tmp_path):
    path = write(tmp_path, "COM;PMUN\n94028;92989\n2A004;71361\n", name="pop.csv")
    assert [(r.code, r.population, r.line) for r in read_populations(path)] == [
        ("94028", 92989, 2),
        ("2A004", 71361, 3),
    ]


def test_populations_with_commas_codgeo_and_year(tmp_path):
    path = write(tmp_path, 'CODGEO,LIBGEO,PMUN2021\n94028,Créteil,"92 989"\n', name="pop.csv")
    [row] = read_populations(path)
    assert (row.code, row.population) == ("94028", 92989)


def test_populations_from_insee_detailed_file(tmp_path):
    """donnees_communes.csv: COM is the name there; the code is DEP + CODCOM."""
    path = write(
        tmp_path,
        "REG;Région;DEP;CODARR;CODCAN;CODCOM;COM;PMUN;PCAP;PTOT\n"
        "11;Île-de-France;94;941;9409;028;Créteil;92989;1000;93989\n"
        "01;Guadeloupe;971;9711;97101;101;Les Abymes;50000;100;50100\n",
        name="donnees_communes.csv",
    )
    assert [(r.code, r.population) for r in read_populations(path)] == [
        ("94028", 92989),
        ("97101", 50000),
    ]


def test_populations_from_xlsx_with_title_rows(tmp_path):
    path = tmp_path / "ensemble.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Communes"
    sheet.append(["Recensement de la population"])
    sheet.append(["Populations légales des communes en vigueur au 1er janvier 2024"])
    sheet.append([])
    sheet.append(["Code département", "Code commune", "Nom de la commune", "Population municipale"])
    sheet.append(["94", "028", "Créteil", 92989])
    book.save(path)
    [row] = read_populations(path)
    assert (row.code, row.population, row.line) == ("94028", 92989, 5)


def test_populations_without_code_column_says_what_was_expected(tmp_path):
    path = write(tmp_path, "CODE;POP\n94028;1\n", name="pop.csv")
    error = error_of(read_populations, path)
    assert "no header row found; expected a commune code column (COM or CODGEO" in str(error)


def test_populations_without_population_column(tmp_path):
    path = write(tmp_path, "COM;PTOT\n94028;1\n", name="pop.csv")
    assert "expected PMUN or PMUN20xx" in str(error_of(read_populations, path))


def test_populations_non_numeric(tmp_path):
    path = write(tmp_path, "COM;PMUN\n94028;beaucoup\n", name="pop.csv")
    assert str(error_of(read_populations, path)) == (
        "pop.csv, line 2, column PMUN: population 'beaucoup' is not a whole number"
    )


# --- EPCI -----------------------------------------------------------------------------


def insee_epci_xlsx(path: Path, *, composition_extra: list | None = None) -> Path:
    """The layout of 'Intercommunalité - Métropole au 01-01-2024.xlsx': title rows first."""
    book = openpyxl.Workbook()
    epci = book.active
    epci.title = "EPCI"
    for title in ["EPCI au 1er janvier 2024", "Source : Insee, DGCL", "", "Nombre d'EPCI : 2"]:
        epci.append([title])
    epci.append([])
    epci.append(["EPCI", "LIBEPCI", "NATURE_EPCI", "NB_COM"])
    epci.append(["200054781", "Métropole du Grand Paris", "METRO", 131])
    epci.append(["243500139", "Rennes Métropole", "METRO", 43])
    epci.append(["ZZZZZZZZZ", "Sans objet", "ZZ", 4])
    composition = book.create_sheet("Composition_communale")
    for title in ["Composition communale", "Source : Insee", "", "", ""]:
        composition.append([title])
    composition.append(["CODGEO", "LIBGEO", "EPCI", "LIBEPCI", "DEP", "REG"])
    composition.append(["94028", "Créteil", "200054781", "Métropole du Grand Paris", "94", "11"])
    composition.append(["35238", "Rennes", "243500139", "Rennes Métropole", "35", "53"])
    composition.append(["29155", "Ouessant", "ZZZZZZZZZ", "Sans objet", "29", "53"])
    for row in composition_extra or []:
        composition.append(row)
    book.save(path)
    return path


def test_epci_from_insee_xlsx(tmp_path):
    data = read_epci(insee_epci_xlsx(tmp_path / "Intercommunalité - Métropole.xlsx"))
    assert [(e.code, e.name, e.nature) for e in data.epcis] == [
        ("200054781", "Métropole du Grand Paris", "METRO"),
        ("243500139", "Rennes Métropole", "METRO"),
    ]
    assert [(m.commune, m.epci, m.line) for m in data.memberships] == [
        ("94028", "200054781", 7),
        ("35238", "243500139", 8),
        ("29155", "", 9),
    ]


def test_epci_xlsx_member_of_an_unlisted_epci(tmp_path):
    path = insee_epci_xlsx(
        tmp_path / "epci.xlsx",
        composition_extra=[["01001", "Abergement", "200069193", "CC Dombes", "01", "84"]],
    )
    assert str(error_of(read_epci, path)) == (
        "epci.xlsx [Composition_communale], line 10, column EPCI: "
        "EPCI '200069193' is not in the EPCI sheet"
    )


def test_epci_xlsx_without_sheet(tmp_path):
    path = tmp_path / "epci.xlsx"
    openpyxl.Workbook().save(path)
    assert "sheet 'EPCI' not found" in str(error_of(read_epci, path))


def test_epci_not_an_xlsx(tmp_path):
    path = write(tmp_path, "not a zip", name="epci.xlsx")
    assert "not a readable XLSX file" in str(error_of(read_epci, path))


def test_epci_composition_csv(tmp_path):
    path = write(
        tmp_path,
        "CODGEO,LIBGEO,EPCI,LIBEPCI,DEP,REG\n"
        "94028,Créteil,200054781,Métropole du Grand Paris,94,11\n"
        "94080,Vincennes,200054781,Métropole du Grand Paris,94,11\n",
        name="epci.csv",
    )
    data = read_epci(path)
    assert [(e.code, e.nature) for e in data.epcis] == [("200054781", "")]
    assert [m.commune for m in data.memberships] == ["94028", "94080"]
    assert data.memberships[0].departement == "94"


def test_epci_list_csv(tmp_path):
    path = write(tmp_path, "EPCI;LIBEPCI;NATURE_EPCI;NB_COM\n243500139;Rennes Métropole;METRO;43\n")
    data = read_epci(path)
    assert [(e.code, e.name, e.nature) for e in data.epcis] == [
        ("243500139", "Rennes Métropole", "METRO")
    ]
    assert data.memberships == []


def test_epci_invalid_siren(tmp_path):
    path = write(tmp_path, "CODGEO,EPCI,LIBEPCI\n94028,20005478,MGP\n", name="epci.csv")
    assert str(error_of(read_epci, path)) == (
        "epci.csv, line 2, column EPCI: invalid EPCI SIREN '20005478' (9 digits expected)"
    )


def test_epci_csv_with_neither_header(tmp_path):
    path = write(tmp_path, "A,B\n1,2\n", name="epci.csv")
    assert "no header row found; expected columns CODGEO" in str(error_of(read_epci, path))
