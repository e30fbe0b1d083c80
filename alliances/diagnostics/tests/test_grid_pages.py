"""The grid pages: everyone reads and downloads the published versions; only platform
admins preview a draft."""

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from alliances.diagnostics.grids import grid_version_draft, grid_version_publish
from alliances.diagnostics.models import Criterion, CriterionLevel

pytestmark = pytest.mark.django_db
DEFAULT = "co-construction-territoriale"
PERSONAS = ["anonymous", "outsider", "participant", "animateur", "admin"]


def _as(client, request, persona: str):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_reads_the_published_grids(client, request, persona, grid_version):
    client = _as(client, request, persona)
    page = client.get(reverse("diagnostics:grid_list")).content.decode()
    assert "Grille de maturité de la co-construction territoriale" in page
    assert "Grille grille-test" in page
    assert ("/bilans/importer-une-grille/" in page) == (persona == "admin")
    response = client.get(reverse("diagnostics:grid_detail", args=[DEFAULT]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="fr"' in page
    for text in [
        "Dialogue territorial",
        "Instances de dialogue",
        "Essaimage",
        "Un diagnostic partagé des fragilités existe, co-écrit avec au moins trois types",
    ]:
        assert text in page
    json_url = reverse("diagnostics:grid_download_json", args=[DEFAULT, 1])
    assert json.loads(client.get(json_url).content)["grid"]["slug"] == DEFAULT
    xlsx = client.get(reverse("diagnostics:grid_download_xlsx", args=[DEFAULT, 1]))
    assert xlsx["Content-Disposition"] == f'attachment; filename="{DEFAULT}-v1.xlsx"'
    assert load_workbook(io.BytesIO(xlsx.content), read_only=True).sheetnames[0] == "grille"


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_admins_preview_a_draft(client, request, persona, grid_version):
    draft = grid_version_draft(grid=grid_version.grid)
    Criterion.objects.filter(version=draft, code="axe-1-critere-1").update(name="Brouillon")
    client = _as(client, request, persona)
    url = reverse("diagnostics:grid_detail", args=["grille-test"])
    page = client.get(url).content.decode()
    assert "Critère 1.1" in page and "Brouillon" not in page  # the published version
    preview = client.get(url, {"version": 2})
    download = client.get(reverse("diagnostics:grid_download_json", args=["grille-test", 2]))
    if persona == "admin":
        assert preview.status_code == 200 and "Brouillon" in preview.content.decode()
        assert download.status_code == 200
    else:
        assert preview.status_code == 404 and download.status_code == 404
    # The draft is not listed among the versions to read.
    assert "?version=2" not in page


def test_older_published_versions_stay_readable(client, grid_version):
    draft = grid_version_draft(grid=grid_version.grid)
    CriterionLevel.objects.filter(criterion__version=draft, rank=1).update(description="Neuf.")
    grid_version_publish(version=draft)
    url = reverse("diagnostics:grid_detail", args=["grille-test"])
    latest = client.get(url).content.decode()
    assert "Neuf." in latest and "?version=1" in latest
    old = client.get(url, {"version": 1}).content.decode()
    assert "Neuf." not in old and "Critère 1.1, niveau 1" in old


@pytest.mark.parametrize("query", [{"version": "abc"}, {"version": "9"}, {"version": "99999999"}])
def test_bad_or_unknown_versions_are_404(client, grid_version, query):
    url = reverse("diagnostics:grid_detail", args=["grille-test"])
    assert client.get(url, query).status_code == 404


def test_unknown_grid_or_grid_without_published_version_is_404(client, grid_version):
    assert client.get(reverse("diagnostics:grid_detail", args=["inconnue"])).status_code == 404
    from alliances.diagnostics.testing import make_grid

    make_grid(slug="jamais-publiee", published=False)
    url = reverse("diagnostics:grid_detail", args=["jamais-publiee"])
    assert client.get(url).status_code == 404
    assert "jamais-publiee" not in client.get(reverse("diagnostics:grid_list")).content.decode()


def test_the_pages_answer_get_only(client, admin):
    client.force_login(admin)
    assert client.post(reverse("diagnostics:grid_list")).status_code == 405
    assert client.post(reverse("diagnostics:grid_detail", args=[DEFAULT])).status_code == 405


def test_query_counts(client, participant, django_assert_max_num_queries):
    client.force_login(participant)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("diagnostics:grid_list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("diagnostics:grid_detail", args=[DEFAULT])).status_code == 200
