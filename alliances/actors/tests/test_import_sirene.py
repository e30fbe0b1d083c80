"""import-sirene: StockEtablissement rows, open establishments only, NAF → sector."""

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from alliances.actors.models import Organisation, OrganisationSource, RegistryImport
from alliances.actors.registry import RegistryFileError, sirene_import
from alliances.actors.services import organisation_create
from alliances.lib.identifiers import with_luhn_digit
from alliances.lib.opendata.naf import SECTIONS, naf_section

from .test_import_rna import deferral  # noqa: F401  (a fixture, used below)

# The published header (StockEtablissement, 2024), in its order.
HEADER = (
    "siren,nic,siret,statutDiffusionEtablissement,dateCreationEtablissement,"
    "trancheEffectifsEtablissement,anneeEffectifsEtablissement,activitePrincipaleRegistreMetiersEtablissement,"
    "dateDernierTraitementEtablissement,etablissementSiege,nombrePeriodesEtablissement,"
    "complementAdresseEtablissement,numeroVoieEtablissement,indiceRepetitionEtablissement,"
    "dernierNumeroVoieEtablissement,indiceRepetitionDernierNumeroVoieEtablissement,"
    "typeVoieEtablissement,libelleVoieEtablissement,codePostalEtablissement,"
    "libelleCommuneEtablissement,libelleCommuneEtrangerEtablissement,"
    "distributionSpecialeEtablissement,codeCommuneEtablissement,codeCedexEtablissement,"
    "libelleCedexEtablissement,codePaysEtrangerEtablissement,libellePaysEtrangerEtablissement,"
    "identifiantAdresseEtablissement,coordonneeLambertAbscisseEtablissement,"
    "coordonneeLambertOrdonneeEtablissement,dateDebut,etatAdministratifEtablissement,"
    "enseigne1Etablissement,enseigne2Etablissement,enseigne3Etablissement,"
    "denominationUsuelleEtablissement,activitePrincipaleEtablissement,"
    "nomenclatureActivitePrincipaleEtablissement,caractereEmployeurEtablissement"
).split(",")


def siret(n: int) -> str:
    return with_luhn_digit(f"{400000000 + n:09d}0001")


def sirene_row(n: int, commune: str = "94080", **values: str) -> dict[str, str]:
    number = siret(n)
    row = dict.fromkeys(HEADER, "")
    row.update(
        siren=number[:9], nic=number[9:], siret=number, statutDiffusionEtablissement="O",
        dateCreationEtablissement="2015-04-01", dateDernierTraitementEtablissement=
        "2024-02-03T10:11:12.000", etablissementSiege="true", numeroVoieEtablissement="3",
        typeVoieEtablissement="AV", libelleVoieEtablissement="DE PARIS",
        codePostalEtablissement="94300", libelleCommuneEtablissement="VINCENNES",
        codeCommuneEtablissement=commune, etatAdministratifEtablissement="A",
        denominationUsuelleEtablissement=f"Boulangerie {n}",
        activitePrincipaleEtablissement="10.71C",
        nomenclatureActivitePrincipaleEtablissement="NAFRev2", caractereEmployeurEtablissement="O",
    )
    row.update(values)
    return row


def write_sirene(path, rows, header=HEADER) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    path.write_text(out.getvalue(), encoding="utf-8")
    return str(path)


def test_naf_sections():
    assert [naf_section(code) for code in ("01.11Z", "10.71C", "3511Z", "47.11f", "94.99Z",
                                           "99.00Z", "84.11Z", "04.00Z", "xx", "")] == [
        "A", "C", "D", "G", "S", "U", "O", None, None, None]
    assert len(SECTIONS) == 21


@pytest.mark.django_db
@pytest.mark.usefixtures("deferral")
def test_import_open_establishments_with_sectors(tmp_path, vincennes, creteil):
    path = write_sirene(tmp_path / "sirene.csv", [
        sirene_row(1),
        sirene_row(2, etatAdministratifEtablissement="F"),
        sirene_row(3, statutDiffusionEtablissement="P", denominationUsuelleEtablissement="[ND]"),
        sirene_row(4, commune="94028", denominationUsuelleEtablissement="",
                   enseigne1Etablissement="Au Bon Pain", activitePrincipaleEtablissement="47.24Z"),
        sirene_row(5, denominationUsuelleEtablissement="",
                   activitePrincipaleEtablissement="94.99Z"),
        sirene_row(6, activitePrincipaleEtablissement="52.1A",
                   nomenclatureActivitePrincipaleEtablissement="NAFRev1"),
        sirene_row(7, siret="12345678900000"),
    ])
    report = sirene_import(path)
    assert report.created == 4
    assert report.skipped == {"closed": 1, "not_diffusible": 1, "malformed": 1}
    first = Organisation.objects.get(siret=siret(1))
    assert (first.name, first.type, first.naf, first.source, first.siren) == (
        "Boulangerie 1", "entreprise", "10.71C", OrganisationSource.SIRENE, siret(1)[:9])
    assert first.address == "3 avenue DE PARIS"
    assert list(first.sectors.values_list("code", flat=True)) == ["C"]
    fourth = Organisation.objects.get(siret=siret(4))
    assert (fourth.name, fourth.commune_id) == ("Au Bon Pain", "94028")
    assert list(fourth.sectors.values_list("code", flat=True)) == ["G"]
    fifth = Organisation.objects.get(siret=siret(5))
    assert (fifth.name, fifth.type) == (f"Établissement {siret(5)}", "association")
    sixth = Organisation.objects.get(siret=siret(6))
    assert (sixth.naf, sixth.sectors.count()) == ("", 0)
    assert "12345678900000" in report.problems[0]


@pytest.mark.django_db
@pytest.mark.usefixtures("deferral")
def test_a_new_activity_moves_the_sector(tmp_path, vincennes):
    path = write_sirene(tmp_path / "a.csv", [sirene_row(1)])
    sirene_import(path)
    path = write_sirene(tmp_path / "b.csv", [sirene_row(
        1, activitePrincipaleEtablissement="56.10A",
        dateDernierTraitementEtablissement="2025-01-01T00:00:00")])
    report = sirene_import(path)
    assert report.updated == 1
    org = Organisation.objects.get()
    assert (org.naf, list(org.sectors.values_list("code", flat=True))) == ("56.10A", ["I"])


@pytest.mark.django_db
def test_siret_of_a_hand_entered_organisation_merges(tmp_path, vincennes):
    by_hand = organisation_create(name="Boulangerie du coin", type="entreprise",
                                  commune=vincennes, siret=siret(1), sectors=["G"])
    path = write_sirene(tmp_path / "sirene.csv", [sirene_row(1)])
    report = sirene_import(path)
    assert (report.merged, report.created) == (1, 0)
    by_hand.refresh_from_db()
    assert (by_hand.name, by_hand.naf, by_hand.source) == (
        "Boulangerie du coin", "10.71C", OrganisationSource.MANUAL)
    assert set(by_hand.sectors.values_list("code", flat=True)) == {"C", "G"}


@pytest.mark.django_db
def test_filters_and_missing_columns(tmp_path, vincennes, montreuil):
    path = write_sirene(tmp_path / "sirene.csv", [sirene_row(1), sirene_row(2, commune="93048")])
    report = sirene_import(path, departements=["93"])
    assert list(Organisation.objects.values_list("commune_id", flat=True)) == ["93048"]
    assert report.skipped["out_of_filter"] == 1
    header = [c for c in HEADER if c != "etatAdministratifEtablissement"]
    bad = write_sirene(tmp_path / "bad.csv", [sirene_row(3)], header=header)
    with pytest.raises(RegistryFileError, match="etatAdministratifEtablissement"):
        sirene_import(bad)
    with pytest.raises(CommandError, match="etatAdministratifEtablissement"):
        call_command("import_sirene", bad, "--quiet")
    assert RegistryImport.objects.count() == 1 and Organisation.objects.count() == 1
