"""The text of a PDF, for the search index: pypdf's extraction, bounded.

A resource's PDF may be a 300-page study; the index needs its words, not its layout, and
must not let one file cost minutes or gigabytes. Extraction stops after `max_pages` pages
or `max_chars` characters, and a PDF pypdf cannot read (encrypted, damaged) yields "".
"""

import logging
import re
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.errors import PdfReadError

log = logging.getLogger(__name__)

MAX_PAGES = 200
MAX_CHARS = 200_000
_SPACES = re.compile(r"\s+")


def extract_text(
    stream: BinaryIO, *, max_pages: int = MAX_PAGES, max_chars: int = MAX_CHARS
) -> str:
    """The PDF's text, whitespace folded, at most `max_chars` characters."""
    try:
        reader = PdfReader(stream)
        if reader.is_encrypted:
            return ""
        parts: list[str] = []
        total = 0
        for page in reader.pages[:max_pages]:
            text = _SPACES.sub(" ", page.extract_text() or "").strip()
            if text:
                parts.append(text)
                total += len(text) + 1
            if total >= max_chars:
                break
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        log.info("no text from a PDF: %s", error)
        return ""
    return " ".join(parts)[:max_chars]
