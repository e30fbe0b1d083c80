"""Streaming a registry's CSV file: encoding, header, records with their line numbers,
the file's fingerprint and a progress line."""

import codecs
import csv
import hashlib
import io
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

SNIFF_BYTES = 1 << 20
# A registry's text field (an association's objet) is a few thousand characters at most;
# a stray quote can swallow the rest of the file into one field: stop it at 1 MB.
FIELD_LIMIT = 1 << 20
csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode the bytes that are not UTF-8 as Windows-1252 (latin-1 for its 5 holes).

    Files announced as UTF-8 sometimes carry a few rows pasted from an older cp1252 export:
    those rows keep their accents instead of stopping the import.
    """
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    text = "".join(
        bytes([b]).decode("cp1252", errors="strict") if b not in b"\x81\x8d\x8f\x90\x9d"
        else chr(b)
        for b in bad
    )
    return text, error.end


codecs.register_error("opendata_cp1252", _cp1252_fallback)


def detect_encoding(head: bytes) -> str:
    """'utf-8-sig' (with a BOM), 'utf-8', or 'cp1252' for the older Windows exports.

    `head` is the file's first megabyte; a UTF-8 sequence cut at its end is still UTF-8.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # merely a character cut by the 1 MB limit
            return "utf-8"
        # Mostly UTF-8 with a few cp1252 rows pasted in stays UTF-8 (those rows are read
        # as cp1252 by the error handler); mostly invalid is a cp1252 file.
        text = head.decode("utf-8", errors="replace")
        bad = text.count("\ufffd")
        good = sum(1 for char in text if ord(char) > 127) - bad
        return "utf-8" if good > bad else "cp1252"
    return "utf-8"


def file_fingerprint(path: str | os.PathLike) -> str:
    """SHA-256 of the whole file, streamed (about 1 GB/s: a second for the national RNA)."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(slots=True)
class TextFile:
    raw: BinaryIO
    text: TextIO
    encoding: str
    size: int

    def position(self) -> int:
        """Bytes read so far (to the decoder's last chunk): for the progress line."""
        return self.raw.tell()

    def close(self) -> None:
        self.text.close()


def open_text(path: str | os.PathLike) -> TextFile:
    raw = open(path, "rb")  # noqa: SIM115  # closed by TextFile.close
    head = raw.read(SNIFF_BYTES)
    raw.seek(0)
    encoding = detect_encoding(head)
    errors = "opendata_cp1252" if encoding.startswith("utf-8") else "replace"
    text = io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline="")
    return TextFile(raw=raw, text=text, encoding=encoding, size=os.fstat(raw.fileno()).st_size)


def sniff_delimiter(first_line: str, candidates: str = ",;") -> str:
    """The candidate that occurs most in the header line."""
    return max(candidates, key=first_line.count)


@dataclass(slots=True)
class Fields:
    line: int  # the file's line where the record ends (1 = the header)
    values: list[str]


def records(text: TextIO, delimiter: str) -> Iterator[Fields | csv.Error]:
    """The file's records after its header, each with its line; a record the csv module
    cannot read comes as the csv.Error (with its line in the message), and reading goes on."""
    reader = csv.reader(text, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield csv.Error(f"line {reader.line_num}: {exc}")
            continue
        if values:
            yield Fields(reader.line_num, values)


def read_header(path: Path | str, delimiter: str | None = None) -> tuple[list[str], str]:
    """(column names, delimiter) of a CSV file; the delimiter is sniffed when not given."""
    file = open_text(path)
    try:
        first = file.text.readline()
    finally:
        file.close()
    delimiter = delimiter or sniff_delimiter(first)
    header = next(csv.reader([first], delimiter=delimiter), [])
    return [name.strip() for name in header], delimiter


class Progress:
    """One line on stderr, redrawn: '12 % · 240 000 lignes · 85 000 l/s · reste 20 s'.

    On a terminal only (a log gets the final summary alone); `labels` gives the words, so
    the caller translates them: {"rows": "lignes", "rate": "l/s", "left": "reste"}.
    """

    def __init__(self, size: int, labels: dict[str, str], stream: TextIO | None = None,
                 enabled: bool = True, every: float = 0.25) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.size = max(size, 1)
        self.labels = labels
        self.every = every
        self.start = self.last = time.monotonic()
        self.start_position: int | None = None
        self.drawn = False

    def text(self, rows: int, position: int, elapsed: float) -> str:
        rate = rows / elapsed if elapsed > 0 else 0.0
        start = self.start_position or 0
        done = position - start
        left = (self.size - position) * elapsed / done if done > 0 else None
        parts = [
            f"{min(position / self.size, 1):.0%}".replace("%", "\u202f%"),
            f"{group(rows)} {self.labels['rows']}",
            f"{group(round(rate))} {self.labels['rate']}",
        ]
        if left is not None:
            parts.append(f"{self.labels['left']} {left:.0f} s")
        return " · ".join(parts)

    def __call__(self, rows: int, position: int) -> None:
        if self.start_position is None:
            self.start_position = position
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < self.every:
            return
        self.last = now
        self.stream.write(f"\r\033[K{self.text(rows, position, now - self.start)}")
        self.stream.flush()
        self.drawn = True

    def end(self) -> None:
        if self.drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()


def group(number: int) -> str:
    """240000 → '240 000' (French grouping, narrow no-break spaces)."""
    return f"{number:,}".replace(",", "\u202f")
