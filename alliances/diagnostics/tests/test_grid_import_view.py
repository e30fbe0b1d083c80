"""The grid import page: admins only; a good file becomes a draft, a bad one is refused
whole with every error listed; the file's size and kind are checked."""

import copy
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alliances.diagnostics import grid_views
from alliances.diagnostics.default_grid import DEFAULT_GRID
from alliances.diagnostics.grids import grid_version_xlsx
from alliances.diagnostics.models import Criterion, Grid, GridVersion, GridVersionStatus

pytestmark = pytest.mark.django_db
URL = reverse("diagnostics:grid_import")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _json_file(data: dict, name: str = "grille.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, json.dumps(data).encode(), content_type="application/json")


def _local_grid() -> dict:
    data = copy.deepcopy(DEFAULT_GRID)
    data["grid"] = {"slug": "grille-locale", "name": "Grille locale", "description": ""}
    return data


def _counts() -> tuple[int, int, int]:
    return Grid.objects.count(), GridVersion.objects.count(), Criterion.objects.count()


def test_an_admin_imports_a_json_grid(client, admin):
    client.force_login(admin)
    page = client.get(URL)
    assert page.status_code == 200
    assert 'lang="fr"' in page.content.decode()
    assert "<code>criteres</code>" in page.content.decode()
    response = client.post(URL, {"file": _json_file(_local_grid())})
    version = GridVersion.objects.get(grid__slug="grille-locale")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:diagnostics_gridversion_change", args=[version.pk]
    )
    assert version.status == GridVersionStatus.DRAFT
    assert version.criteria.count() == 28


def test_an_admin_imports_an_xlsx_grid_as_a_new_draft(client, admin, grid_version):
    client.force_login(admin)
    upload = SimpleUploadedFile("grille.xlsx", grid_version_xlsx(grid_version))
    response = client.post(URL, {"file": upload}, follow=True, **EN)
    assert response.status_code == 200
    assert "version 2 was imported as a draft" in response.content.decode()
    assert grid_version.grid.versions.get(number=2).status == GridVersionStatus.DRAFT


def test_a_bad_file_lists_every_error_and_saves_nothing(client, admin):
    client.force_login(admin)
    data = _local_grid()
    data["axes"][0]["criteria"][0]["levels"][1]["description"] = ""
    data["axes"][3]["code"] = "pas un code"
    before = _counts()
    response = client.post(URL, {"file": _json_file(data)}, **EN)
    assert response.status_code == 200
    content = response.content.decode()
    assert "nothing was saved" in content
    assert "JSON axes[0].criteria[0].levels[1].description: this value is required." in content
    assert "JSON axes[3].code: “pas un code” is not a valid code" in content
    assert 'aria-invalid="true"' in content
    assert _counts() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("grille.pdf", b"%PDF-1.4\n", "this kind of file is not accepted"),
        ("grille.xlsx", b"not a workbook at all", "does not match its name"),
        ("grille.json", b"", "is empty"),
        ("grille.json", b"{oops", "Invalid JSON at line 1, column 2"),
    ],
)
def test_the_kind_of_file_is_checked(client, admin, name, content, message):
    client.force_login(admin)
    before = _counts()
    response = client.post(URL, {"file": SimpleUploadedFile(name, content)}, **EN)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _counts() == before


def test_the_size_is_checked(client, admin, monkeypatch):
    monkeypatch.setattr(grid_views, "MAX_BYTES", 100)
    client.force_login(admin)
    response = client.post(URL, {"file": _json_file(_local_grid())}, **EN)
    assert "is too large" in response.content.decode()
    assert not Grid.objects.filter(slug="grille-locale").exists()


def test_no_file(client, admin):
    client.force_login(admin)
    response = client.post(URL, {}, **EN)
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


@pytest.mark.parametrize("persona", ["animateur", "participant", "outsider", "analyste"])
def test_others_may_not_import(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    before = _counts()
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"file": _json_file(_local_grid())}).status_code == 403
    assert _counts() == before


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/compte/" in response["Location"]
    response = client.post(URL, {"file": _json_file(_local_grid())})
    assert response.status_code == 302
    assert not Grid.objects.filter(slug="grille-locale").exists()
