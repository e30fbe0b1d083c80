"""import-rna: the waldec file as published, streamed, filtered, upserted, resumable."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from alliances.actors import registry
from alliances.actors.models import (
    DuplicateProposal,
    Organisation,
    OrganisationSource,
    RegistryImport,
    RegistryImportStatus,
)
from alliances.actors.registry import RegistryFileError, rna_import
from alliances.lib.identifiers import with_luhn_digit
from alliances.lib.opendata.rna import HEADER
from alliances.territories.models import Commune, CommuneSubdivision, Departement

from .fixtures import make_commune


def rna_row(number: int, commune: str = "94080", **values: str) -> dict[str, str]:
    """One association of the waldec file; `values` overrides columns."""
    row = dict.fromkeys(HEADER, "")
    row.update(
        id=f"W{number:09d}",
        id_ex=f"{number:07d}",
        titre=f"Association numéro {number}",
        objet="Favoriser les rencontres; développer la pratique du sport",
        adrs_numvoie="12",
        adrs_repetition="",
        adrs_typevoie="RUE",
        adrs_libvoie="des Lilas",
        adrs_codeinsee=commune,
        adrs_codepostal="94300",
        adrs_libcommune="VINCENNES",
        position="A",
        maj_time="2024-03-01 10:00:00",
        nature="D",
        gestion="941P",
    )
    row.update(values)
    return row


def write_rna(path, rows, *, encoding: str = "utf-8", bom: bool = False,
              header=HEADER) -> str:
    """The file as the Ministry publishes it: `;`, every field double-quoted."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header] if isinstance(row, dict)
                        else row)
    data = out.getvalue().encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return str(path)


@pytest.fixture
def paris(idf) -> Commune:
    departement = Departement.objects.get_or_create(
        code="75", defaults={"name": "Paris", "region": idf}
    )[0]
    return make_commune("75056", "Paris", departement, 2_133_111)


@pytest.fixture
def places(vincennes, creteil, lyon, paris):
    CommuneSubdivision.objects.create(kind="ARM", code="75101", name="Paris 1er", parent=paris)
    return {"vincennes": vincennes, "creteil": creteil, "lyon": lyon, "paris": paris}


@pytest.fixture(params=[False, True], ids=["small-file", "large-file"])
def deferral(request, monkeypatch) -> bool:
    """Both ways of an import: a small file read in the process, indexes kept; a large one
    (a first national import) read in a child process, and on SQLite the indexes dropped
    and built at its end (registry.READ_IN_CHILD_MIN_ROWS, DEFER_INDEXES_MIN_ROWS)."""
    if request.param:
        monkeypatch.setattr(registry, "DEFER_INDEXES_MIN_ROWS", 0)
        monkeypatch.setattr(registry, "READ_IN_CHILD_MIN_ROWS", 0)
    return request.param


def imported() -> dict[str, tuple]:
    return {
        org.rna: (org.name, org.commune_id, org.siret, org.address, org.website,
                  org.description, org.source, org.departement_id, org.region_id)
        for org in Organisation.objects.order_by("rna")
    }


@pytest.mark.django_db
def test_reads_the_published_format(tmp_path, places, deferral):
    siret = with_luhn_digit("7328293200001")
    path = write_rna(tmp_path / "rna.csv", [
        rna_row(1, titre='  Les "Amis" du bois; de Vincennes ', siret=siret,
                siteweb="https://amis.example.org", adrs_repetition="B"),
        rna_row(2, commune="94028", siret="123", siteweb="pas un site"),
        rna_row(3, objet="Très long objet " * 200),
    ])
    report = rna_import(path)
    assert (report.created, report.updated, report.lines) == (3, 0, 3)
    first = Organisation.objects.get(rna="W000000001")
    assert first.name == 'Les "Amis" du bois; de Vincennes'
    assert first.search_name == 'les "amis" du bois; de vincennes'
    assert first.siret == siret and first.siren == siret[:9]
    assert first.website == "https://amis.example.org"
    assert first.address == "12B RUE des Lilas"
    assert first.type == "association" and first.source == OrganisationSource.RNA
    assert first.is_public
    assert (first.departement_id, first.region_id) == ("94", "11")
    assert first.registry_updated_at == datetime(2024, 3, 1, 9, 0, tzinfo=UTC)  # Paris time
    second = Organisation.objects.get(rna="W000000002")
    assert (second.siret, second.website, second.commune_id) == ("", "", "94028")
    third = Organisation.objects.get(rna="W000000003")
    assert len(third.description) <= 1000 and third.description.endswith("…")
    run = RegistryImport.objects.get()
    assert (run.status, run.lines_done, run.created) == (RegistryImportStatus.DONE, 3, 3)


@pytest.mark.django_db
@pytest.mark.parametrize("encoding,bom", [("utf-8", True), ("cp1252", False),
                                          ("latin-1", False)])
def test_encodings(tmp_path, places, encoding, bom):
    path = write_rna(tmp_path / "rna.csv", [rna_row(1, titre="Œuvre des Élèves — Noël")
                                            if encoding == "cp1252"
                                            else rna_row(1, titre="Amicale des Élèves")],
                     encoding=encoding, bom=bom)
    rna_import(path)
    expected = "Œuvre des Élèves — Noël" if encoding == "cp1252" else "Amicale des Élèves"
    assert Organisation.objects.get().name == expected


@pytest.mark.django_db
def test_a_cp1252_row_inside_a_utf8_file_keeps_its_accents(tmp_path, places):
    path = tmp_path / "rna.csv"
    write_rna(path, [rna_row(1, titre="Amicale des Élèves"), rna_row(3, titre="Été"),
                     rna_row(4, titre="Hôpital")])
    with open(path, "ab") as stream:
        stream.write(";".join(f'"{v}"' for v in rna_row(2, titre="Comité des fêtes")
                              .values()).encode("cp1252") + b"\n")
    rna_import(str(path))
    assert sorted(Organisation.objects.values_list("name", flat=True)) == [
        "Amicale des Élèves", "Comité des fêtes", "Hôpital", "Été"]


@pytest.mark.django_db
def test_dissolved_deleted_unknown_and_arrondissements(tmp_path, places, deferral):
    path = write_rna(tmp_path / "rna.csv", [
        rna_row(1, position="D"),
        rna_row(2, position="S"),
        rna_row(3, commune="75101"),  # a subdivision of the database
        rna_row(4, commune="69383"),  # Lyon 3e: from the known ranges
        rna_row(5, commune="99999"),
        rna_row(6, commune=""),
    ])
    report = rna_import(path)
    assert report.skipped == {"dissolved": 2, "unknown_commune": 2}
    assert dict(Organisation.objects.values_list("rna", "commune_id")) == {
        "W000000003": "75056", "W000000004": "69123"}
    assert report.problems[0].startswith(("line 6:", "ligne 6 :"))
    assert "99999" in report.problems[0]
    assert report.problems[1].startswith(("line 7:", "ligne 7 :"))


@pytest.mark.django_db
def test_filters(tmp_path, places, montreuil, deferral):
    rows = [rna_row(1, commune="94080"), rna_row(2, commune="94028"),
            rna_row(3, commune="93048"), rna_row(4, commune="75102"),
            rna_row(5, commune="35238"),  # not in this database, another département
            rna_row(6, commune="94999")]  # not in this database, in the département
    path = write_rna(tmp_path / "rna.csv", rows)
    report = rna_import(path, departements=["94"])
    assert set(Organisation.objects.values_list("rna", flat=True)) == {"W000000001",
                                                                        "W000000002"}
    assert report.skipped == {"out_of_filter": 3, "unknown_commune": 1}
    assert "94999" in report.problems[0]
    Organisation.objects.all().delete()
    rna_import(path, communes=["94028,93048"])
    assert set(Organisation.objects.values_list("rna", flat=True)) == {"W000000002",
                                                                        "W000000003"}
    Organisation.objects.all().delete()
    report = rna_import(path, communes=["75101"])  # an arrondissement stands for its commune
    assert list(Organisation.objects.values_list("rna", flat=True)) == ["W000000004"]
    assert report.skipped == {"out_of_filter": 5}


@pytest.mark.django_db
def test_unknown_filter_is_refused_before_anything(tmp_path, places):
    path = write_rna(tmp_path / "rna.csv", [rna_row(1)])
    with pytest.raises(RegistryFileError, match="99"):
        rna_import(path, departements=["99"])
    with pytest.raises(RegistryFileError, match="12345"):
        rna_import(path, communes=["12345"])
    assert not RegistryImport.objects.exists() and not Organisation.objects.exists()


@pytest.mark.django_db
def test_upsert_updates_changed_rows_only(tmp_path, places, deferral):
    rows = [rna_row(n) for n in range(1, 5)]
    path = write_rna(tmp_path / "rna.csv", rows)
    rna_import(path)
    ids = dict(Organisation.objects.values_list("rna", "id"))
    rows[0] = rna_row(1, titre="Nouveau nom", maj_time="2024-06-01 08:00:00")
    rows[1] = rna_row(2, titre="Ignoré: pas plus récent", maj_time="2024-03-01 10:00:00")
    rows.append(rna_row(5))
    path = write_rna(tmp_path / "rna2.csv", rows)
    report = rna_import(path)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 3)
    assert Organisation.objects.get(rna="W000000001").name == "Nouveau nom"
    assert Organisation.objects.get(rna="W000000002").name == "Association numéro 2"
    assert {k: v for k, v in Organisation.objects.values_list("rna", "id") if k in ids} == ids
    assert Organisation.objects.count() == 5


@pytest.mark.django_db
def test_missing_columns_error_writes_nothing(tmp_path, places):
    header = [c for c in HEADER if c not in ("adrs_codeinsee", "position")]
    path = write_rna(tmp_path / "rna.csv", [rna_row(1)], header=header)
    with pytest.raises(RegistryFileError) as error:
        rna_import(path)
    assert "adrs_codeinsee" in str(error.value) and "position" in str(error.value)
    assert not RegistryImport.objects.exists() and not Organisation.objects.exists()
    with pytest.raises(CommandError, match="adrs_codeinsee, position"):
        call_command("import_rna", path, "--quiet")


@pytest.mark.django_db
def test_malformed_lines_are_located_and_skipped(tmp_path, places, deferral):
    good = rna_row(1)
    path = write_rna(tmp_path / "rna.csv", [
        good,
        list(rna_row(2).values())[:10],  # wrong field count
        rna_row(3, id="X123"),  # not an RNA number
        rna_row(4, objet="sur\ndeux lignes"),
        rna_row(5, titre=""),
        rna_row(6),
    ])
    report = rna_import(path)
    assert set(Organisation.objects.values_list("rna", flat=True)) == {
        "W000000001", "W000000004", "W000000006"}
    assert report.skipped["malformed"] == 3
    assert report.problems[0] == "ligne 3 : 10 champs au lieu de 39" or \
        report.problems[0].startswith("line 3")
    assert report.problems[1].startswith(("line 4", "ligne 4")) and "X123" in report.problems[1]
    # The record on two lines ends on line 6: the next one is on line 7.
    assert report.problems[2].startswith(("line 7", "ligne 7"))


@pytest.mark.django_db
def test_resume_after_an_interruption_gives_the_same_table(tmp_path, places, deferral):
    rows = [rna_row(n, commune=["94080", "94028", "69123"][n % 3]) for n in range(1, 101)]
    rows[40]["position"] = "D"
    path = write_rna(tmp_path / "rna.csv", rows)

    class Interrupted(Exception):
        pass

    def stop_after_third(batch: int) -> None:
        if batch == 3:
            raise Interrupted

    with pytest.raises(Interrupted):
        rna_import(path, batch_size=10, after_batch=stop_after_third)
    run = RegistryImport.objects.get()
    assert (run.status, run.lines_done, run.created) == (RegistryImportStatus.FAILED, 30, 30)
    assert Organisation.objects.count() == 30
    notices = []
    report = rna_import(path, batch_size=10, notify=notices.append)
    assert report.resumed_after == 30 and report.lines == 70
    assert "31" in notices[0]
    run.refresh_from_db()
    assert (run.status, run.lines_done, run.created, run.skipped) == (
        RegistryImportStatus.DONE, 100, 99, 1)
    interrupted = imported()
    Organisation.objects.all().delete()
    RegistryImport.objects.all().delete()
    rna_import(path, batch_size=7)
    assert imported() == interrupted
    assert len(interrupted) == 99
    # A finished import run again starts over, and changes nothing.
    report = rna_import(path)
    assert (report.resumed_after, report.lines, report.unchanged, report.created) == (
        0, 100, 99, 0)


@pytest.mark.django_db
def test_another_filter_does_not_resume(tmp_path, places):
    path = write_rna(tmp_path / "rna.csv", [rna_row(n) for n in range(1, 30)])
    with pytest.raises(ZeroDivisionError):
        rna_import(path, batch_size=10, after_batch=lambda k: 1 / 0)
    report = rna_import(path, departements=["94"], batch_size=10)
    assert report.resumed_after == 0 and report.lines == 29


@pytest.mark.django_db
def test_command_summary_and_quiet(tmp_path, places, capsys):
    path = write_rna(tmp_path / "rna.csv", [rna_row(1), rna_row(2, position="D")])
    call_command("import_rna", path, "--departement", "94", "--quiet")
    out = capsys.readouterr()
    assert "2" in out.out and "1" in out.out
    assert Organisation.objects.count() == 1


@pytest.mark.django_db
def test_merge_by_rna_or_siret_into_an_organisation_entered_by_hand(tmp_path, places,
                                                                    organisation, deferral):
    # The fixture organisation: W941000001, SIREN 732829320, in Vincennes, by hand.
    organisation.address = ""
    organisation.save()
    siret = with_luhn_digit("4410000000001")
    from alliances.actors.services import organisation_create
    by_siret = organisation_create(name="Club des aînés", type="association",
                                   commune=places["creteil"], siret=siret)
    path = write_rna(tmp_path / "rna.csv", [
        rna_row(941000001, titre="MDA VINCENNES", adrs_libvoie="de Fontenay"),
        rna_row(7, commune="94028", siret=siret, titre="CLUB DES AINES DE CRETEIL"),
    ])
    report = rna_import(path)
    assert (report.merged, report.created) == (2, 0)
    organisation.refresh_from_db()
    assert organisation.name == "Maison des associations de Vincennes"
    assert organisation.source == OrganisationSource.MANUAL
    assert organisation.address == "12 RUE de Fontenay"
    assert organisation.website == "https://mda.example.org"
    by_siret.refresh_from_db()
    assert (by_siret.rna, by_siret.name, by_siret.source) == (
        "W000000007", "Club des aînés", OrganisationSource.MANUAL)
    assert Organisation.objects.count() == 2
    # Again: nothing newer, nothing done.
    report = rna_import(path)
    assert (report.merged, report.unchanged) == (0, 2)


@pytest.mark.django_db
def test_fuzzy_match_proposes_a_duplicate(tmp_path, places, organisation, deferral):
    from alliances.actors.services import organisation_create
    other = organisation_create(name="Les Petits Débrouillards", type="association",
                                commune=places["vincennes"])
    elsewhere = organisation_create(name="Secours Populaire", type="association",
                                    commune=places["creteil"])
    path = write_rna(tmp_path / "rna.csv", [
        rna_row(10, titre="LES PETITS DEBROUILLARDS VINCENNES"),
        rna_row(11, titre="Secours populaire", commune="94080"),  # another commune
        rna_row(12, titre="Tout autre chose"),
    ])
    report = rna_import(path)
    assert (report.created, report.proposals) == (3, 1)
    proposal = DuplicateProposal.objects.get()
    assert proposal.kept == other and proposal.candidate.rna == "W000000010"
    assert proposal.score >= 90
    assert not DuplicateProposal.objects.filter(kept=elsewhere).exists()
    # Imported again: the candidate exists, no second proposal.
    path2 = write_rna(tmp_path / "rna2.csv", [rna_row(10, titre="LES PETITS DEBROUILLARDS",
                                                      maj_time="2025-01-01 00:00:00")])
    rna_import(path2)
    assert DuplicateProposal.objects.count() == 1


@pytest.mark.django_db
def test_a_dissolved_association_is_no_longer_listed(tmp_path, places, organisation, deferral):
    path = write_rna(tmp_path / "rna.csv", [rna_row(1), rna_row(2)])
    rna_import(path)
    path = write_rna(tmp_path / "rna2.csv", [
        rna_row(1, position="D", maj_time="2025-01-01 00:00:00"), rna_row(2),
        rna_row(941000001, position="S"),  # the hand-entered one: left alone
    ])
    report = rna_import(path)
    assert report.withdrawn == 1
    assert dict(Organisation.objects.values_list("rna", "is_public")) == {
        "W000000001": False, "W000000002": True, "W941000001": True}
