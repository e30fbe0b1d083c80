"""alliances import-cog: communes, subdivisions and populations from INSEE's files."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from alliances.territories import services
from alliances.territories.models import Commune, CommuneSubdivision
from alliances.territories.services import communes_import

FILES = Path(__file__).parent / "files"
DEMO = Path(__file__).resolve().parent.parent / "demo"
HEADER = "TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT\n"
CRETEIL = "COM,94028,11,94,94D,,0,CRETEIL,Créteil,Créteil,,\n"
VINCENNES = "COM,94080,11,94,94D,,0,VINCENNES,Vincennes,Vincennes,,\n"


def snapshot() -> tuple:
    """Everything an import may write, to prove a failed one wrote nothing."""
    return (
        sorted(Commune.objects.values_list("code", "name", "search_name", "population")),
        sorted(CommuneSubdivision.objects.values_list("kind", "code", "name", "parent_id")),
    )


def run(*args: str, **options) -> str:
    out = StringIO()
    call_command("import_cog", *args, stdout=out, **options)
    return out.getvalue()


def command_error(tmp_path: Path, text: str | bytes, *, encoding: str = "utf-8", **options) -> str:
    """Import a bad communes file over the fixture data; check it wrote nothing."""
    communes_import(path=FILES / "communes.csv")
    before = snapshot()
    path = tmp_path / "communes.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    with pytest.raises(CommandError) as info:
        run("--communes", str(path), **options)
    assert snapshot() == before
    return str(info.value)


def test_it_imports_communes_and_subdivisions(db):
    output = run("--communes", str(FILES / "communes.csv"))
    assert Commune.objects.count() == 8
    assert "communes 8 created, 0 updated, 0 unchanged" in output
    assert "subdivisions (ARM/COMD/COMA): 4 created" in output
    paris = Commune.objects.get(code="75056")
    assert paris.departement_id == "75"
    assert sorted(paris.subdivisions.values_list("kind", "code")) == [
        ("ARM", "75101"),
        ("ARM", "75102"),
    ]
    assert not Commune.objects.filter(code__in=["75101", "75102", "05999"]).exists()


def test_a_commune_deleguee_may_carry_its_parents_code(db):
    communes_import(path=FILES / "communes.csv")
    val = Commune.objects.get(code="05118")
    assert val.name == "Val Buëch-Méouge"
    assert sorted(val.subdivisions.values_list("kind", "code", "name")) == [
        ("COMA", "05999", "Hameau Test"),
        ("COMD", "05118", "Ribiers"),
    ]


def test_search_name_is_folded_on_the_bulk_path(db):
    communes_import(path=FILES / "communes.csv")
    assert Commune.objects.get(code="94028").search_name == "creteil"
    assert Commune.objects.get(code="05118").search_name == "val buech-meouge"
    assert list(Commune.objects.search("CRÉTEIL").values_list("code", flat=True)) == ["94028"]


def test_mayotte_communes_are_accepted(db):
    communes_import(path=FILES / "communes.csv")
    assert Commune.objects.get(code="97608").departement.region_id == "06"


def test_reimporting_the_same_file_changes_nothing(db):
    communes_import(path=FILES / "communes.csv")
    before = snapshot()
    report = communes_import(path=FILES / "communes.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 8)
    assert (report.subdivisions_created, report.subdivisions_updated) == (0, 0)
    assert report.subdivisions_unchanged == 4
    assert snapshot() == before


def test_a_newer_file_updates_in_place_and_reports_what_disappeared(db):
    communes_import(path=FILES / "communes.csv", populations_path=FILES / "populations.csv")
    creteil_pk = Commune.objects.get(code="94028").pk
    report = communes_import(path=FILES / "communes_2025.csv")
    assert (report.created, report.updated, report.unchanged) == (1, 1, 7)
    creteil = Commune.objects.get(code="94028")
    assert (creteil.pk, creteil.name, creteil.search_name) == (
        creteil_pk,
        "Créteil-Ville",
        "creteil-ville",
    )
    # Populations survive an import without a populations file.
    assert creteil.population == 92989
    assert Commune.objects.get(code="94041").name == "Ivry-sur-Seine"
    assert CommuneSubdivision.objects.get(kind="COMD", code="05118").name == "Ribiers-sur-Buëch"
    assert report.subdivisions_updated == 1
    # The COMA is gone from the newer file: reported through the counts, kept.
    assert CommuneSubdivision.objects.filter(kind="COMA").exists()
    assert report.missing == []


def test_communes_missing_from_a_newer_file_are_kept_and_reported(db, tmp_path):
    communes_import(path=FILES / "communes.csv")
    path = tmp_path / "communes.csv"
    path.write_text(HEADER + CRETEIL, encoding="utf-8")
    report = communes_import(path=path)
    assert report.missing == ["05118", "35047", "35238", "35240", "75056", "94080", "97608"]
    assert Commune.objects.count() == 8
    assert any("7 communes in the database are not in the file" in line for line in report.lines())


def test_populations_and_size_bands(db, settings):
    settings.COMMUNE_SIZE_BANDS = [1000, 3500, 10000]
    output = run(
        "--communes", str(FILES / "communes.csv"), "--populations", str(FILES / "populations.csv")
    )
    assert "populations set: 7" in output
    # 75101 is an arrondissement: not a commune, reported, skipped.
    assert "1 commune codes in the file are not in the database (skipped): 75101" in output
    bands = dict(Commune.objects.values_list("code", "size_band"))
    populations = dict(Commune.objects.values_list("code", "population"))
    assert populations["35238"] == 225081
    assert populations["05118"] == 1319
    assert bands["05118"] == 1
    assert bands["35240"] == 2
    assert bands["35238"] == 3
    # Dzaoudzi is not in the populations file.
    assert populations["97608"] is None and bands["97608"] is None


def test_newer_populations_update_in_place(db):
    communes_import(path=FILES / "communes.csv", populations_path=FILES / "populations.csv")
    report = communes_import(
        path=FILES / "communes.csv", populations_path=FILES / "populations_codgeo.csv"
    )
    assert (report.updated, report.unchanged) == (1, 7)
    vincennes = Commune.objects.get(code="94080")
    assert (vincennes.population, vincennes.size_band) == (800, 0)
    assert Commune.objects.get(code="35238").population == 225081


def test_demo_files_import(db):
    report = communes_import(path=DEMO / "communes.csv", populations_path=DEMO / "populations.csv")
    assert report.created == 46
    assert report.subdivisions_created == 3
    assert report.unknown == []
    for departement in ("94", "35", "05"):
        assert Commune.objects.filter(departement_id=departement).count() == 15
    assert not Commune.objects.filter(population=None).exists()
    assert Commune.objects.get(code="75056").subdivisions.count() == 2


# --- bad input: a located error, and nothing written --------------------------------


def test_missing_column(db, tmp_path):
    message = command_error(tmp_path, HEADER.replace(",DEP", "") + CRETEIL)
    assert message.startswith("communes.csv, line 1: missing column DEP")
    assert message.endswith("(nothing was imported)")


def test_unknown_departement(db, tmp_path):
    message = command_error(tmp_path, HEADER + CRETEIL + VINCENNES.replace(",94,", ",99,"))
    assert message.startswith("communes.csv, line 3, column DEP: unknown département '99'")


def test_region_mismatch(db, tmp_path):
    message = command_error(tmp_path, HEADER + CRETEIL.replace(",11,", ",53,"))
    assert message.startswith(
        "communes.csv, line 2, column REG: region '53' does not match département '94', "
        "which is in region '11'"
    )


def test_truncated_row(db, tmp_path):
    message = command_error(tmp_path, HEADER + CRETEIL + "COM,94080,11,94,94D,,0,VINC\n")
    assert message.startswith("communes.csv, line 3: truncated row: 8 fields, 12 expected")


def test_unknown_typecom(db, tmp_path):
    message = command_error(tmp_path, HEADER + CRETEIL + VINCENNES.replace("COM,", "CAN,", 1))
    assert "line 3, column TYPECOM: unknown TYPECOM 'CAN'" in message


def test_duplicate_commune(db, tmp_path):
    message = command_error(tmp_path, HEADER + CRETEIL + VINCENNES + CRETEIL)
    assert "line 4, column COM: commune '94028' already on line 2" in message


def test_subdivision_of_an_unknown_parent(db, tmp_path):
    text = HEADER + CRETEIL + "ARM,75101,,,,,0,PARIS 1ER,Paris 1er,Paris 1er,,75056\n"
    message = command_error(tmp_path, text)
    assert "line 3, column COMPARENT: parent commune '75056' is not a COM row" in message


def test_undecodable_bytes(db, tmp_path):
    data = (HEADER + CRETEIL + VINCENNES).encode().replace(b"VINCENNES", b"VINC\xffNNES")
    message = command_error(tmp_path, data)
    assert message.startswith("communes.csv, line 3: the file is not UTF-8 (byte 0xff")
    assert "--encoding" in message


def test_latin1_without_encoding_is_refused(db, tmp_path):
    message = command_error(tmp_path, HEADER + VINCENNES + CRETEIL, encoding="latin-1")
    assert message.startswith("communes.csv, line 3: the file is not UTF-8")
    assert "--encoding latin-1" in message


def test_latin1_with_encoding_is_read(db, tmp_path):
    path = tmp_path / "communes.csv"
    path.write_bytes((HEADER + CRETEIL).encode("latin-1"))
    run("--communes", str(path), encoding="latin-1")
    assert Commune.objects.get(code="94028").name == "Créteil"


def test_bad_populations_file_writes_no_commune(db, tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("COM;PMUN\n94028;lots\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"pop.csv, line 2, column PMUN: population 'lots'"):
        run("--communes", str(FILES / "communes.csv"), "--populations", str(path))
    assert Commune.objects.count() == 0


def test_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run("--communes", str(tmp_path / "nope.csv"))


def test_a_failure_while_writing_rolls_everything_back(db, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_write_subdivisions", fail)
    with pytest.raises(RuntimeError):
        communes_import(path=FILES / "communes.csv")
    assert Commune.objects.count() == 0


def test_the_error_is_printed_as_error_colon(db, tmp_path):
    """Django prints a CommandError as '<class name>: message'; ours reads 'error: …'."""
    path = tmp_path / "communes.csv"
    path.write_text(HEADER + CRETEIL.replace(",94,", ",99,"), encoding="utf-8")
    with pytest.raises(CommandError) as info:
        run("--communes", str(path))
    assert f"{type(info.value).__name__}: {info.value}".startswith(
        "error: communes.csv, line 2, column DEP: unknown département '99'"
    )
