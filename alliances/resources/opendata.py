"""The published catalogue as open data: CSV and JSON, streamed.

Rows are read by primary key in batches (a fixed number of queries per batch: the
resources with their contributor, then tags, référentiel nodes, links, files and
organisations), so that the export's memory stays bounded whatever the catalogue's size.
The CSV has the import's columns (see importer.py) plus `id, url, organisations,
contributor, published_at`, so that it imports back; JSON holds the same fields with the
lists as lists.
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.utils import timezone

from .importer import FORMULA_STARTS
from .models import Resource
from .selectors import referentiel_flat

COLUMNS = (
    "id", "url", "title", "kind", "summary", "body", "tags", "referentiel", "authors", "date",
    "licence", "links", "files", "departement", "region", "organisations", "contributor",
    "published_at",
)
BATCH_SIZE = 500


def records(*, base_url: str | None = None, batch_size: int | None = None
            ) -> Iterator[dict[str, Any]]:
    """Every published resource as a dict of COLUMNS (lists for the `;` columns; links as
    {"title", "url"}), in id order. `base_url` makes the `url` absolute (SITE_URL by
    default)."""
    base = (base_url or settings.SITE_URL).rstrip("/")
    batch_size = batch_size or BATCH_SIZE
    numbers = {item.pk: item.number for item in referentiel_flat()}
    queryset = (
        Resource.objects.published().order_by("pk").select_related("contributor")
        .prefetch_related("tags", "nodes", "links", "files", "organisations")
    )
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last)[:batch_size])
        if not batch:
            return
        for resource in batch:
            yield _record(resource, base, numbers)
        last = batch[-1].pk


def _record(resource: Resource, base: str, numbers: dict[int, str]) -> dict[str, Any]:
    contributor = resource.contributor
    published_at = resource.published_at
    return {
        "id": resource.pk,
        "url": base + resource.get_absolute_url(),
        "title": resource.title,
        "kind": resource.kind,
        "summary": resource.summary,
        "body": resource.body,
        "tags": [f"{t.family}:{t.code}" for t in resource.tags.all()],
        "referentiel": sorted(
            (numbers[n.pk] for n in resource.nodes.all() if n.pk in numbers),
            key=lambda number: [int(part) for part in number.split(".")],
        ),
        "authors": resource.authors,
        "date": resource.issued_on.isoformat() if resource.issued_on else "",
        "licence": resource.licence,
        "links": [{"title": link.title, "url": link.url} for link in resource.links.all()],
        "files": [f.name for f in resource.files.all()],
        "departement": resource.departement_id or "",
        "region": resource.region_id or "",
        "organisations": [o.name for o in resource.organisations.all()],
        "contributor": str(contributor) if contributor else "",
        "published_at": (
            timezone.localtime(published_at).isoformat(timespec="seconds")
            if published_at else ""
        ),
    }


def neutralise(value: str) -> str:
    """Text that a spreadsheet would run as a formula is quoted (CSV/formula injection);
    the importer takes the quote off."""
    return "'" + value if value[:1] in FORMULA_STARTS else value


def _csv_cell(name: str, value: Any) -> str:
    if name == "links":
        value = [f"{link['title']}|{link['url']}" if link["title"] else link["url"]
                 for link in value]
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    return neutralise(str(value))


def csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The CSV (UTF-8, `,`-separated, CRLF), a row at a time, header first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def line(values: list[str]) -> str:
        out.seek(0)
        out.truncate()
        writer.writerow(values)
        return out.getvalue()

    yield line(list(COLUMNS))
    for row in rows:
        yield line([_csv_cell(name, row[name]) for name in COLUMNS])


def json_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A JSON list of the rows, an object at a time."""
    yield "["
    separator = "\n"
    for row in rows:
        yield separator + json.dumps(row, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"
