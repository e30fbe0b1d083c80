"""Bad input on the resource form: each refused with a French message on its field, the
form shown again with what was typed, and nothing saved (no resource, no version, no file
left in storage)."""

import io
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alliances.resources.models import Resource, ResourceFile, ResourceStatus, ResourceVersion
from alliances.resources.testing import make_resource

from .test_contribution_pages import form_data, pdf_bytes

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "media")},
    }}


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def field_errors(html: str, field_id: str) -> str:
    """The text of the field's block: its label, errors and input."""
    start = html.index(f'id="{field_id}"')
    block_start = html.rfind('<div class="field', 0, start)
    return unescape(html[block_start:start])


CASES = [
    ("empty title", {"title": "  "}, "id_title", "Donnez un titre à la ressource."),
    ("unknown kind", {"kind": "poeme"}, "id_kind", "Choisissez une nature dans la liste."),
    ("link not a URL", {"links-0-url": "pas une adresse"}, "id_links-0-url",
     "Saisissez une adresse web complète (https://…)."),
    ("javascript: link", {"links-0-url": "javascript:alert(1)"}, "id_links-0-url",
     "Saisissez une adresse web complète (https://…)."),
    ("text of a link without its address", {"links-0-url": "", "links-0-title": "Le MOOC"},
     "id_links-0-url", "Donnez l'adresse de ce lien."),
    ("département out of the region", {"region": "84", "departement": "13"},
     "id_departement", "Ce département n'est pas dans la région choisie."),
]


@pytest.mark.parametrize(("case", "changes", "field_id", "message"), CASES,
                         ids=[c[0] for c in CASES])
def test_a_bad_field_is_refused_on_that_field_and_nothing_is_saved(
    client, participant, case, changes, field_id, message
):
    client.force_login(participant)
    response = client.post(
        reverse("resources:propose"),
        form_data(files=[SimpleUploadedFile("guide.pdf", pdf_bytes())], **changes),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "La ressource n'a pas été enregistrée" in html
    assert message in field_errors(html, field_id)
    # What was typed is still there.
    assert "Camille Martin" in html
    assert not Resource.objects.exists()
    assert not ResourceVersion.objects.exists() and not ResourceFile.objects.exists()
    assert stored_files() == []


def test_a_renamed_executable_is_refused(client, participant):
    client.force_login(participant)
    response = client.post(
        reverse("resources:propose"),
        form_data(files=[SimpleUploadedFile("rapport.pdf", EXE, "application/pdf")]),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "« rapport.pdf » : le contenu du fichier ne correspond pas à son extension" in (
        field_errors(html, "id_files")
    )
    assert not Resource.objects.exists() and stored_files() == []


def test_an_oversized_file_is_refused_with_the_limit(client, participant):
    client.force_login(participant)
    big = io.BytesIO(b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024))
    response = client.post(
        reverse("resources:propose"),
        form_data(files=[SimpleUploadedFile("enorme.pdf", big.getvalue())]),
    )
    assert response.status_code == 400
    errors = field_errors(response.content.decode(), "id_files").replace("\xa0", " ")
    assert "« enorme.pdf » est trop volumineux" in errors
    assert "la limite est de 20,0 Mio" in errors
    assert not Resource.objects.exists() and stored_files() == []


def test_a_bad_edit_changes_nothing(client, participant):
    resource = make_resource(by=participant, status=ResourceStatus.DRAFT,
                             files=[SimpleUploadedFile("a.pdf", pdf_bytes())])
    before = (resource.title, resource.version, list(resource.files.values_list("pk")))
    client.force_login(participant)
    response = client.post(
        reverse("resources:edit", args=[resource.pk]),
        form_data(title="", remove_files=[str(resource.files.get().pk)],
                  files=[SimpleUploadedFile("b.pdf", EXE)]),
    )
    assert response.status_code == 400
    resource.refresh_from_db()
    after = (resource.title, resource.version, list(resource.files.values_list("pk")))
    assert after == before
    assert len(stored_files()) == 1


def test_an_empty_comment_or_reason_is_refused_in_french(client, participant, animateur):
    from alliances.resources import services as s

    resource = make_resource(by=participant, status=ResourceStatus.DRAFT)
    s.resource_submit(resource=resource, by=participant)
    client.force_login(animateur)
    for route, message in [
        ("resources:refuse", "Donnez la raison du refus."),
        ("resources:request_changes", "Dites ce qui doit changer."),
        ("resources:comment", "Écrivez votre commentaire."),
    ]:
        response = client.post(reverse(route, args=[resource.pk]), {"body": " "})
        assert response.status_code == 400, route
        assert message in response.content.decode()
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.SUBMITTED
    assert list(resource.events.values_list("kind", flat=True)) == ["submitted"]
