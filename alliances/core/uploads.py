"""Checks on uploaded files: size, and kind read from the content, not from the name.

A file is accepted when its extension is in the allowed set *and* its first bytes say the
same thing (a renamed executable is refused). Plain-text kinds have no signature: they
must decode as UTF-8 and hold no NUL byte. Forms call `validate_upload` from `clean_*`.
"""

from collections.abc import Iterable
from pathlib import PurePath

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Extension → the kinds `filetype` may report for it. OOXML files are zip archives: some
# writers are not recognised as docx/xlsx/pptx and come back as plain zip.
_SIGNATURES: dict[str, frozenset[str]] = {
    "pdf": frozenset({"pdf"}),
    "png": frozenset({"png"}),
    "jpg": frozenset({"jpg"}),
    "jpeg": frozenset({"jpg"}),
    "gif": frozenset({"gif"}),
    "webp": frozenset({"webp"}),
    "docx": frozenset({"docx", "zip"}),
    "xlsx": frozenset({"xlsx", "zip"}),
    "pptx": frozenset({"pptx", "zip"}),
    "odt": frozenset({"odt", "zip"}),
    "ods": frozenset({"ods", "zip"}),
    "odp": frozenset({"odp", "zip"}),
    "doc": frozenset({"doc", "xls", "ppt"}),  # OLE2 containers look alike
    "xls": frozenset({"doc", "xls", "ppt"}),
    "ppt": frozenset({"doc", "xls", "ppt"}),
}
_TEXT = frozenset({"txt", "csv", "md"})

DOCUMENTS = frozenset(
    {"pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "doc", "xls", "ppt", "txt", "csv", "md"}
)
IMAGES = frozenset({"png", "jpg", "jpeg", "gif", "webp"})
DOCUMENTS_AND_IMAGES = DOCUMENTS | IMAGES

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_HEAD = 8192


def _extension(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def _head(upload: UploadedFile) -> bytes:
    upload.seek(0)
    head = upload.read(_HEAD)
    upload.seek(0)
    return head


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # The head may cut a multi-byte character in two at its very end.
        return error.start >= len(head) - 3
    return True


def validate_upload(
    upload: UploadedFile,
    *,
    allowed: Iterable[str] = DOCUMENTS_AND_IMAGES,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> UploadedFile:
    """Return the upload when its size and content fit, or raise a French ValidationError."""
    allowed = frozenset(allowed)
    name = upload.name or ""
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            _("“%(name)s” is too large (%(size)s); the limit is %(limit)s.")
            % {"name": name, "size": filesizeformat(upload.size),
               "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    if not upload.size:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    extension = _extension(name)
    if extension not in allowed:
        raise ValidationError(
            _("“%(name)s”: this kind of file is not accepted. Accepted: %(kinds)s.")
            % {"name": name, "kinds": ", ".join(sorted(allowed))},
            code="kind",
        )
    head = _head(upload)
    if extension in _TEXT:
        content_ok = _looks_like_text(head)
    else:
        detected = filetype.guess_extension(head)
        content_ok = detected in _SIGNATURES.get(extension, frozenset())
    if not content_ok:
        raise ValidationError(
            _("“%(name)s”: the content of the file does not match its name (.%(ext)s).")
            % {"name": name, "ext": extension},
            code="content",
        )
    return upload
