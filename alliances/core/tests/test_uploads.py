"""Uploads are judged by their size and their content, not by their name."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from alliances.core.uploads import IMAGES, validate_upload

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("compte-rendu.pdf", PDF),
        ("photo.PNG", PNG),
        ("fiche.docx", _docx()),
        ("notes.md", "# Séance 2 — co-développement\n".encode()),
        ("liste.csv", "nom;rôle\nÉlodie;animatrice\n".encode()),
    ],
)
def test_it_accepts_a_file_whose_content_matches_its_name(name, content):
    upload = SimpleUploadedFile(name, content)
    assert validate_upload(upload) is upload
    assert upload.read() == content  # left rewound for the storage


def test_it_rejects_a_renamed_executable():
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile("programme.pdf", EXE))
    assert error.value.code == "content"
    assert "programme.pdf" in error.value.messages[0]


def test_it_rejects_binary_content_in_a_text_file():
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile("notes.txt", b"abc\x00def"))
    assert error.value.code == "content"


def test_it_rejects_a_kind_not_in_the_allowed_set():
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile("compte-rendu.pdf", PDF), allowed=IMAGES)
    assert error.value.code == "kind"


def test_it_rejects_an_executable_by_extension():
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile("outil.exe", EXE))
    assert error.value.code == "kind"


def test_it_rejects_a_file_over_the_limit():
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile("gros.pdf", PDF + b" " * 2000), max_bytes=1000)
    assert error.value.code == "too_large"


def test_it_rejects_an_empty_file():
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile("vide.pdf", b""))
    assert error.value.code == "empty"


def test_a_multibyte_character_cut_by_the_head_is_still_text():
    content = b"a" * 8191 + "é".encode()  # the head (8192 bytes) ends inside "é"
    assert validate_upload(SimpleUploadedFile("long.txt", content))
