"""import-commune-centres: the usual layouts, unknown codes counted, bad numbers refused."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from alliances.actors.registry import commune_centres_import
from alliances.lib.cog import ImportFileError
from alliances.territories.models import Commune

DEMO = Path(__file__).resolve().parents[2] / "territories" / "demo"


@pytest.mark.django_db
@pytest.mark.parametrize("content", [
    "code_insee,latitude,longitude\n94080,48.8475,2.4393\n94028,48.7904,2.4556\n99999,1,1\n",
    "CODGEO;LATITUDE_CENTRE;LONGITUDE_CENTRE\n94080;48,8475;2,4393\n94028;48,7904;2,4556\n"
    "99999;1;1\n",
    "Code_commune_INSEE;Nom_de_la_commune;Code_postal;coordonnees_gps\n"
    "94080;VINCENNES;94300;48.8475, 2.4393\n94028;CRETEIL;94000;48.7904, 2.4556\n"
    "94028;CRETEIL;94010;48.7904, 2.4556\n99999;X;99999;1, 1\n",
    "insee_com,nom,geo_point_2d\n94080,Vincennes,\"48.8475, 2.4393\"\n"
    "94028,Créteil,\"48.7904, 2.4556\"\n99999,X,\"1, 1\"\n",
])
def test_layouts(tmp_path, vincennes, creteil, content):
    path = tmp_path / "centres.csv"
    path.write_text(content, encoding="utf-8")
    report = commune_centres_import(path)
    assert (report.updated, report.unknown) == (2, 1)
    vincennes.refresh_from_db()
    assert (vincennes.latitude, vincennes.longitude) == (48.8475, 2.4393)


@pytest.mark.django_db
@pytest.mark.parametrize("content,where", [
    ("code_insee,latitude,longitude\n94080,48.8,2.4\n94028,quarante,2.4\n", "line 3"),
    ("code_insee,latitude,longitude\n94080,48.8,2.4\n94028,148.8,2.4\n", "line 3"),
    ("code_insee,lat\n94080,48.8\n", "line 1"),
    ("nom,latitude,longitude\nX,48.8,2.4\n", "line 1"),
])
def test_bad_input_is_located_and_nothing_saved(tmp_path, vincennes, creteil, content, where):
    path = tmp_path / "centres.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFileError) as error:
        commune_centres_import(path)
    assert where in str(error.value)
    assert not Commune.objects.filter(latitude__isnull=False).exists()
    with pytest.raises(CommandError, match=where):
        call_command("import_commune_centres", str(path))


@pytest.mark.django_db
def test_demo_centres_cover_the_demo_communes(vincennes):
    """The shipped demo file: every demo commune (COM) once, plausible French coordinates."""
    import csv

    with open(DEMO / "communes.csv", encoding="utf-8") as stream:
        communes = {row["COM"] for row in csv.DictReader(stream) if row["TYPECOM"] == "COM"}
    with open(DEMO / "centres.csv", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert {row["code_insee"] for row in rows} == communes
    assert len(rows) == len(communes)
    for row in rows:
        assert 42 < float(row["latitude"]) < 51.5 and -5.5 < float(row["longitude"]) < 8.5
    report = commune_centres_import(DEMO / "centres.csv")
    assert report.updated == 1  # only Vincennes is in this test's database
