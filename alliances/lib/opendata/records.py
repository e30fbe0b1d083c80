"""What the registry readers make of a row: an organisation record, or why it is skipped."""

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from alliances.lib.identifiers import normalise, siret_error

DESCRIPTION_MAX = 1000
NAME_MAX = 250
ADDRESS_MAX = 300
URL_MAX = 200
HOST_RE = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$", re.IGNORECASE
)


class MissingColumns(ValueError):
    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(", ".join(missing))


class Malformed(ValueError):
    """A row that cannot be read (wrong field count, bad identifier): skipped, located."""


@dataclass(slots=True)
class Skip:
    reason: str  # "dissolved", "closed", "not_diffusible"
    key: str = ""  # the registry's number, when the row is gone from the registry


@dataclass(slots=True)
class Record:
    key: str  # the registry's number: RNA (W…) or SIRET
    name: str
    type: str
    commune: str  # as published: may be an arrondissement code, or empty
    rna: str = ""
    siret: str = ""
    address: str = ""
    website: str = ""
    description: str = ""
    naf: str = ""
    section: str | None = None
    updated_at: datetime | None = None  # naive: the registry's local time (Paris)
    search_name: str = ""  # the name folded (alliances.lib.text.fold), when known


def column_indexes(header: list[str], required: tuple[str, ...],
                   optional: tuple[str, ...] = ()) -> dict[str, int]:
    """{column: index} for the columns a reader uses; MissingColumns names the absent ones."""
    position = {name.strip().lower(): index for index, name in enumerate(header)}
    missing = [name for name in required if name.lower() not in position]
    if missing:
        raise MissingColumns(missing)
    return {
        name: position[name.lower()]
        for name in (*required, *optional)
        if name.lower() in position
    }


def clean_siret(value: str) -> str:
    """The SIRET when it is a valid one (14 digits, check digit), else ''."""
    if not value or value.isspace():  # most rows of the RNA: no regular expression
        return ""
    value = normalise(value)
    return value if value and siret_error(value) is None else ""


def clean_url(value: str) -> str:
    """An http(s) URL with a plausible host, else '' (registries hold all sorts of text)."""
    value = value.strip()
    if not value or len(value) > URL_MAX or " " in value:
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return value if HOST_RE.match(parts.hostname) else ""


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def parse_timestamp(value: str) -> datetime | None:
    """'2021-03-04 10:11:12', '2021-03-04T10:11:12.000' or '2021-03-04' (naive), else None."""
    value = value.strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def join_address(*parts: str) -> str:
    # truncate() collapses the spaces, those around each part included.
    return truncate(" ".join(part for part in parts if part), ADDRESS_MAX)
