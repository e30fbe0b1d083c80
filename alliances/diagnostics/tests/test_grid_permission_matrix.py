"""The permission matrix of the maturity grids: every route of grid_views and the grid
back-office × every persona, with the exact status each one answers.

Everyone reads and downloads published versions; a draft is a platform admin's (404 for
the others, as if it did not exist); importing is an admin's (403 for the signed-in, the
sign-in page for anonymous visitors); the back-office sends whoever is not staff to its
own sign-in page (302). A row that fails is a finding about the view, not a reason to
change the row.
"""

import json
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from alliances.diagnostics import grid_views
from alliances.diagnostics.grids import grid_version_data, grid_version_draft
from alliances.diagnostics.models import GridVersion

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "outsider", "participant", "animateur", "analyste", "admin")


@dataclass
class Row:
    name: str  # the URL name, or "admin:…"
    method: str
    url: object  # (published, draft) → url
    data: object = None  # (published, draft) → POST data
    expect: dict | None = None  # persona → status


def _everyone(status: int) -> dict:
    return dict.fromkeys(PERSONAS, status)


def _admin_only(admin: int, others: int, anonymous: int | None = None) -> dict:
    expect = _everyone(others) | {"admin": admin}
    if anonymous is not None:
        expect["anonymous"] = anonymous
    return expect


def _grid_file(published, draft):
    data = grid_version_data(published)
    data["grid"] = {"slug": "grille-importee", "name": "Grille importée"}
    return {"file": SimpleUploadedFile("g.json", json.dumps(data).encode())}


def _change(version) -> str:
    return reverse("admin:diagnostics_gridversion_change", args=[version.pk])


ADMIN_LOGIN = 302
ROWS = [
    Row("grid_list", "get", lambda p, d: reverse("diagnostics:grid_list"), expect=_everyone(200)),
    Row(
        "grid_detail",
        "get",
        lambda p, d: reverse("diagnostics:grid_detail", args=[p.grid.slug]),
        expect=_everyone(200),
    ),
    Row(
        "grid_detail",
        "get",
        lambda p, d: reverse("diagnostics:grid_detail", args=[d.grid.slug]) + "?version=2",
        expect=_admin_only(200, 404),
    ),
    Row(
        "grid_download_json",
        "get",
        lambda p, d: reverse("diagnostics:grid_download_json", args=[p.grid.slug, 1]),
        expect=_everyone(200),
    ),
    Row(
        "grid_download_json",
        "get",
        lambda p, d: reverse("diagnostics:grid_download_json", args=[d.grid.slug, 2]),
        expect=_admin_only(200, 404),
    ),
    Row(
        "grid_download_xlsx",
        "get",
        lambda p, d: reverse("diagnostics:grid_download_xlsx", args=[p.grid.slug, 1]),
        expect=_everyone(200),
    ),
    Row(
        "grid_download_xlsx",
        "get",
        lambda p, d: reverse("diagnostics:grid_download_xlsx", args=[d.grid.slug, 2]),
        expect=_admin_only(200, 404),
    ),
    Row(
        "grid_import",
        "get",
        lambda p, d: reverse("diagnostics:grid_import"),
        expect=_admin_only(200, 403, anonymous=302),
    ),
    Row(
        "grid_import",
        "post",
        lambda p, d: reverse("diagnostics:grid_import"),
        _grid_file,
        expect=_admin_only(302, 403, anonymous=302),
    ),
    Row(
        "admin:grid_changelist",
        "get",
        lambda p, d: reverse("admin:diagnostics_grid_changelist"),
        expect=_admin_only(200, ADMIN_LOGIN),
    ),
    Row(
        "admin:gridversion_change",
        "get",
        lambda p, d: _change(d),
        expect=_admin_only(200, ADMIN_LOGIN),
    ),
    Row(
        "admin:gridversion_change",
        "post",
        lambda p, d: _change(d),
        lambda p, d: {"note": "changé"},
        # The admin's POST lacks the inlines' management forms: refused (200, errors).
        expect=_admin_only(200, ADMIN_LOGIN),
    ),
    Row(
        "admin:gridversion_change",
        "post",
        lambda p, d: _change(p),
        lambda p, d: {"note": "changé"},
        expect=_admin_only(403, ADMIN_LOGIN),
    ),
    Row(
        "admin:gridversion_changelist",
        "post",
        lambda p, d: reverse("admin:diagnostics_gridversion_changelist"),
        lambda p, d: {"action": "export_xlsx", "_selected_action": [p.pk]},
        expect=_admin_only(200, ADMIN_LOGIN),
    ),
    Row(
        "admin:gridversion_changelist",
        "post",
        lambda p, d: reverse("admin:diagnostics_gridversion_changelist"),
        lambda p, d: {"action": "publish", "_selected_action": [d.pk]},
        expect=_admin_only(302, ADMIN_LOGIN),
    ),
    Row(
        "admin:grid_changelist",
        "post",
        lambda p, d: reverse("admin:diagnostics_grid_changelist"),
        lambda p, d: {"action": "new_draft", "_selected_action": [p.grid_id]},
        expect=_admin_only(302, ADMIN_LOGIN),
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_grid_permission_matrix(client, request, persona, grid_version):
    draft = grid_version_draft(grid=grid_version.grid)
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    failures = []
    for row in ROWS:
        url = row.url(grid_version, draft)
        data = row.data(grid_version, draft) if row.data else {}
        # Every request in a transaction rolled back: each row meets the same data.
        with transaction.atomic():
            response = getattr(client, row.method)(url, data)
            transaction.set_rollback(True)
        expected = row.expect[persona]
        if response.status_code != expected:
            failures.append(
                f"{row.method.upper()} {url}: {response.status_code}, expected {expected}"
            )
    assert not failures, "\n".join(failures)
    # Whatever was tried, nothing changed.
    assert GridVersion.objects.filter(grid=grid_version.grid).count() == 2
    draft.refresh_from_db()
    assert not draft.is_published and draft.note == ""


def test_every_grid_view_is_in_the_matrix():
    names = {pattern.name for pattern in grid_views.urlpatterns}
    assert names <= {row.name for row in ROWS}
