"""Production serves the static files under hashed names (the manifest storage), whose
collection fails on a reference to a missing file (a vendored library's source map, an
image a style sheet names): collect them that way here, as `collectstatic` does in
production."""

import json

import pytest
from django.core.management import call_command


@pytest.fixture
def manifest_storage(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        # The production storage without its compression step (minutes of CPU, no
        # difference to what is referenced).
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
    }}
    return settings.STATIC_ROOT


def test_every_static_file_collects_under_its_hashed_name(manifest_storage):
    call_command("collectstatic", interactive=False, verbosity=0)

    manifest = json.loads((manifest_storage / "staticfiles.json").read_text())["paths"]
    for name in ("alliances/css/alliances.css", "vendor/htmx/htmx.min.js",
                 "vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.js.map"):
        assert name in manifest
        assert (manifest_storage / manifest[name]).is_file()
