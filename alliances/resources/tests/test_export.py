"""Open data: the published catalogue as CSV and JSON, at public URLs and from the command
line, streamed in batches; the CSV imports back."""

import csv
import datetime
import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.files import File
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from alliances.resources import importer, opendata, search
from alliances.resources.models import Licence, Resource, ResourceStatus
from alliances.resources.selectors import referentiel_flat
from alliances.resources.testing import make_resource
from alliances.territories.models import Departement

pytestmark = pytest.mark.django_db

PDF = Path(importer.__file__).parent / "demo" / "fichiers" / "kit-convention-partenariat.pdf"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def nodes(*numbers: str) -> list:
    by_number = {item.number: item.node for item in referentiel_flat()}
    return [by_number[n] for n in numbers]


@pytest.fixture
def catalogue(participant):
    """Two published resources (one with every field and a PDF), a draft, a submitted one."""
    with PDF.open("rb") as handle:
        full = make_resource(
            by=participant, title="=HYPERLINK(\"https://evil.example\",\"clic\")",
            kind="kit", summary="+33 1 23 45 67 89",
            body="- cartographier les acteurs\n- inviter ensemble\n\n@mairie : relancer",
            authors="Inès Morel; Karim Benali", issued_on=datetime.date(2024, 3, 15),
            licence=Licence.CC_BY, departement=Departement.objects.get(code="94"),
            tags=[("forme", "dialogue_territorial"), ("fragilite", "emploi")],
            nodes=nodes("2.1.1", "2.1"),
            links=[("https://www.fun-mooc.fr/fr/cours/cooperer/", "MOOC Coopérer"),
                   ("https://example.org/video", "")],
            files=[File(handle, name="convention.pdf")],
        )
    plain = make_resource(title="Monter un groupement d'employeurs", kind="methode",
                          summary="", body="")
    make_resource(by=participant, title="Brouillon secret", status=ResourceStatus.DRAFT)
    make_resource(by=participant, title="Soumise en relecture",
                  status=ResourceStatus.SUBMITTED)
    return full, plain


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_has_the_import_columns_and_only_published_resources(catalogue, participant):
    full, plain = catalogue
    rows = read_csv("".join(opendata.csv_lines(opendata.records(base_url="https://a.fr/"))))

    assert list(rows[0]) == list(opendata.COLUMNS)
    assert set(importer.REQUIRED + importer.OPTIONAL) <= set(rows[0])
    assert [r["id"] for r in rows] == [str(full.pk), str(plain.pk)]
    row = rows[0]
    assert row["url"] == f"https://a.fr/ressources/{full.pk}/"
    assert row["kind"] == "kit"
    assert row["tags"] == "forme:dialogue_territorial;fragilite:emploi"
    assert row["referentiel"] == "2.1;2.1.1"
    assert row["links"] == ("MOOC Coopérer|https://www.fun-mooc.fr/fr/cours/cooperer/;"
                            "https://example.org/video")
    assert row["files"] == "convention.pdf"
    assert (row["date"], row["licence"], row["departement"], row["region"]) == (
        "2024-03-15", "CC-BY-4.0", "94", "11")
    assert row["contributor"] == "Paul Participant"
    assert row["published_at"].startswith(f"{full.published_at.year}-")


def test_cells_a_spreadsheet_would_run_as_formulas_are_quoted(catalogue):
    rows = read_csv("".join(opendata.csv_lines(opendata.records())))
    assert rows[0]["title"] == "'=HYPERLINK(\"https://evil.example\",\"clic\")"
    assert rows[0]["summary"] == "'+33 1 23 45 67 89"
    assert rows[0]["body"].startswith("'- cartographier")
    assert rows[1]["title"] == "Monter un groupement d'employeurs"


def test_the_json_is_a_list_of_the_same_fields_with_lists(catalogue):
    full, plain = catalogue
    items = json.loads("".join(opendata.json_chunks(opendata.records())))
    assert [i["id"] for i in items] == [full.pk, plain.pk]
    assert set(items[0]) == set(opendata.COLUMNS)
    assert items[0]["title"] == full.title  # JSON is not a spreadsheet: no quoting
    assert items[0]["tags"] == ["forme:dialogue_territorial", "fragilite:emploi"]
    assert items[0]["referentiel"] == ["2.1", "2.1.1"]
    assert items[0]["links"][0] == {
        "title": "MOOC Coopérer", "url": "https://www.fun-mooc.fr/fr/cours/cooperer/"}
    assert items[1]["tags"] == [] and items[1]["date"] == ""
    assert json.loads("".join(opendata.json_chunks([]))) == []


@pytest.mark.parametrize("who", ["admin", "animateur", "participant", "outsider", None])
def test_the_open_data_urls_answer_everyone_with_the_published_catalogue(
    client, catalogue, request, who
):
    if who:
        client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("resources:opendata_csv"))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    titles = [r["title"] for r in read_csv(b"".join(response.streaming_content).decode())]
    assert len(titles) == 2 and "Brouillon secret" not in titles

    response = client.get(reverse("resources:opendata_json"))
    assert response.status_code == 200
    items = json.loads(b"".join(response.streaming_content))
    assert [i["title"] for i in items] == [r.title for r in catalogue]
    assert items[0]["url"] == f"http://testserver/ressources/{catalogue[0].pk}/"


def test_the_open_data_urls_take_only_get_and_head(client):
    assert client.post(reverse("resources:opendata_csv")).status_code == 405
    assert client.head(reverse("resources:opendata_csv")).status_code == 200
    assert reverse("resources:opendata_json") == "/ressources/donnees/ressources.json"


def test_the_export_reads_a_fixed_number_of_queries_per_batch(
    client, catalogue, monkeypatch, django_assert_max_num_queries
):
    for n in range(10):
        make_resource(title=f"Fiche {n}", tags=[("type", "mecenat")], nodes=nodes("1.1"),
                      links=[("https://example.org", "")])
    monkeypatch.setattr(opendata, "BATCH_SIZE", 5)  # 12 published: 3 batches, then none
    for name in ("resources:opendata_csv", "resources:opendata_json"):
        # The référentiel, then per batch the resources and their 5 relations, then the
        # empty batch that ends it.
        with django_assert_max_num_queries(1 + 3 * 6 + 1):
            response = client.get(reverse(name))
            body = b"".join(response.streaming_content).decode()
        assert body.count("Fiche ") >= 10


def test_the_export_command_writes_csv_and_json(catalogue, tmp_path, capsys):
    call_command("export_resources", format="csv", output=str(tmp_path / "r.csv"))
    assert "2 resources → " in capsys.readouterr().err
    rows = read_csv((tmp_path / "r.csv").read_text(encoding="utf-8"))
    assert [r["title"][:5] for r in rows] == ["'=HYP", "Monte"]
    assert rows[0]["url"].startswith("http")

    out = io.StringIO()
    call_command("export_resources", format="json", stdout=out)
    assert len(json.loads(out.getvalue())) == 2

    with pytest.raises(CommandError, match="No such file or directory"):
        call_command("export_resources", format="json", output=str(tmp_path / "no" / "r.json"))


def test_the_exported_csv_imports_back_into_an_empty_centre(catalogue, tmp_path):
    def state():
        return [
            (r.title, r.kind, r.summary, r.body, r.authors, r.issued_on, r.licence,
             r.departement_id, r.region_id,
             sorted(r.tags.values_list("family", "code")),
             sorted(r.nodes.values_list("title", flat=True)),
             list(r.links.values_list("title", "url")),
             list(r.files.values_list("name", flat=True)))
            for r in Resource.objects.published().order_by("pk")
        ]

    before = state()
    path = tmp_path / "export.csv"
    path.write_text("".join(opendata.csv_lines(opendata.records())), encoding="utf-8")
    folder = tmp_path / "fichiers"
    folder.mkdir()
    shutil.copy(PDF, folder / "convention.pdf")
    Resource.objects.all().delete()
    search.clear()

    out = io.StringIO()
    call_command("import_resources", str(path), files=str(folder), stdout=out)
    assert "url, organisations, contributor, published_at" in out.getvalue()

    assert state() == before
    assert search.search("rescrit fiscal").count == 1
