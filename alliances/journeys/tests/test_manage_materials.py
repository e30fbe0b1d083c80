"""Adding and removing a session's supports: who may, accepted and refused files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alliances.journeys.models import SessionMaterial
from alliances.journeys.services import session_material_add

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# The first bytes of a Windows executable.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def session(cohort):
    return cohort.sessions.order_by("start").first()


def _add(client, session, **data):
    return client.post(
        reverse("journeys:material_add", args=[session.pk]),
        {f"material-{k}": v for k, v in data.items()},
    )


def test_add_a_file_then_download_and_remove_it(
    client, session, animateur, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(animateur)
    upload = SimpleUploadedFile("déroulé.pdf", PDF, content_type="application/pdf")
    response = _add(client, session, title="Déroulé", file=upload, url="")
    assert response.status_code == 302
    material = SessionMaterial.objects.get(session=session)
    assert material.added_by == animateur
    stored = tmp_path / material.file.name
    assert stored.read_bytes() == PDF
    download = client.get(reverse("journeys:material", args=[material.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    page = client.get(reverse("journeys:session_update", args=[session.pk])).text
    assert reverse("journeys:material_remove", args=[material.pk]) in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("journeys:material_remove", args=[material.pk]))
    assert response.status_code == 302
    assert not SessionMaterial.objects.exists()
    assert not stored.exists()


def test_add_a_link(client, session, animateur):
    client.force_login(animateur)
    response = _add(client, session, title="Lecture", url="https://example.org/lecture")
    assert response.status_code == 302
    assert SessionMaterial.objects.get(session=session).url == "https://example.org/lecture"


@pytest.mark.parametrize(
    "case", ["renamed_exe", "oversized", "both", "neither", "no_title", "bad_link"]
)
def test_refused_materials_save_nothing(client, session, animateur, case, tmp_path):
    client.force_login(animateur)
    data = {
        "renamed_exe": {
            "title": "Diaporama",
            "file": SimpleUploadedFile("diaporama.pdf", EXE, content_type="application/pdf"),
        },
        "oversized": {
            "title": "Vidéo",
            "file": SimpleUploadedFile(
                "gros.pdf", PDF + b"0" * (20 * 1024 * 1024), content_type="application/pdf"
            ),
        },
        "both": {
            "title": "Les deux",
            "file": SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
            "url": "https://example.org/",
        },
        "neither": {"title": "Rien"},
        "no_title": {"url": "https://example.org/"},
        "bad_link": {"title": "Lien", "url": "pas un lien"},
    }[case]
    response = _add(client, session, **data)
    assert response.status_code == 200
    assert "field-invalid" in response.text
    form = response.context["material_form"]
    field = {"no_title": "title", "bad_link": "url"}.get(case, "file")
    assert form.errors[field]
    assert not SessionMaterial.objects.exists()
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_refused_executable_message_is_french(client, session, animateur):
    client.force_login(animateur)
    response = _add(
        client,
        session,
        title="Programme",
        file=SimpleUploadedFile("outil.exe", EXE, content_type="application/octet-stream"),
    )
    assert response.status_code == 200
    message = " ".join(response.context["material_form"].errors["file"])
    assert "exe" in message  # the refused extension is named


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("outsider", 404),
        ("other_participant", 404),
        ("participant", 403),
        ("intervenant", 403),
        ("animateur", 302),
        ("admin", 302),
    ],
)
def test_who_may_add_and_remove(client, request, session, animateur, who, status):
    request.getfixturevalue("other_cohort")
    material = session_material_add(
        session=session, title="Existant", url="https://example.org/x", added_by=animateur
    )
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = _add(client, session, title="Nouveau", url="https://example.org/y")
    assert response.status_code == status
    response = client.post(reverse("journeys:material_remove", args=[material.pk]))
    assert response.status_code == status
    may = who in {"animateur", "admin"}
    assert SessionMaterial.objects.filter(title="Nouveau").exists() == may
    assert SessionMaterial.objects.filter(pk=material.pk).exists() != may


def test_session_edit_page_with_materials_query_count(
    client, session, animateur, django_assert_max_num_queries
):
    for n in range(5):
        session_material_add(
            session=session,
            title=f"Support {n}",
            url=f"https://example.org/{n}",
            added_by=animateur,
        )
    client.force_login(animateur)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("journeys:session_update", args=[session.pk]))
    assert response.text.count("Support ") >= 5
