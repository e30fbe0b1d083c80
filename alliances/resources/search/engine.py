"""The backend-independent part of a search: terms, fallback, tiers, facets, snippets.

Rank: documents with a query word in their title come first (the title tier), then the
others; within each tier the backend's rank (bm25 on SQLite, ts_rank_cd on PostgreSQL)
orders them. A results page thus ranks only the title tier, a few percent of the matches
of a common word, and ranks the rest only when the page reaches past the tier.

Count and facet counts come from bitmaps: one per facet value (and one of every indexed
document), a bit per document id, stored in the index (BITS_TABLE) and kept in step by
every write, in the same transaction. A search fetches the ids it matches as one string,
makes them a set and counts each value with an AND and a popcount: no GROUP BY over a
join, and the filters are ANDs too. A bitmap takes (largest id) / 8 bytes, stored and in
memory (ids are the resources' sequential keys: 12.5 KB for 100k).
Every write also stores a new random token; a process keeps the bitmaps it read with their
token, and a search's one query returns the bitmaps only when the token has changed.

Measured with `alliances bench search` (100k documents): see the README.
"""

# ruff: noqa: S608 -- the SQL is built from this package's constant table names and
# placeholders only; every value (user text included) is passed as a parameter.

import json
import secrets
from dataclasses import dataclass, field

import numpy as np
from django.db import connection

from alliances.resources.search import text

FACET_TABLE = "resources_search_facet"
WORD_TABLE = "resources_search_word"
BITS_TABLE = "resources_search_bits"
EVERY = ("", "")  # the bitmap of every indexed document
TOKEN = ("", "token")  # not a bitmap: random bytes, new at every write
TYPO_MIN_LENGTH = 4


def search(backend, query: str, *, filters, limit: int, offset: int, with_facets: bool = True):
    from alliances.resources.search import Hit, SearchResult

    terms = text.query_terms(query)
    filters = {family: list(values) for family, values in filters.items() if values}
    rows = backend.hits(terms, filters, limit, offset)
    corrected: list[str] = []
    if not rows and offset == 0 and len(terms) == 1 and len(terms[0]) >= TYPO_MIN_LENGTH:
        corrected = [w for w in backend.near_words(terms[0]) if w != terms[0]]
        if corrected:
            rows = backend.hits(corrected, filters, limit, offset, any_term=True)
    if not rows and offset == 0:
        return SearchResult(count=0, hits=[], facets={}, corrected=corrected)
    if with_facets:
        matched = backend.matched_sql(corrected or terms, bool(corrected)) if terms else None
        count, facets = facet_counts(matched, filters)
    else:
        count, facets = backend.count(corrected or terms, filters, bool(corrected)), {}
    hits = [
        Hit(
            id=row[0],
            score=float(row[1]),
            snippet_html=text.snippet_html(corrected or terms, row[2], row[3]),
        )
        for row in rows
    ]
    return SearchResult(count=count, hits=hits, facets=facets, corrected=corrected)


def filter_sql(id_column: str, filters: dict[str, list[str]]) -> tuple[str, list]:
    sql, params = [], []
    for family, values in sorted(filters.items()):
        marks = ", ".join(["%s"] * len(values))
        sql.append(
            f" AND {id_column} IN (SELECT doc_id FROM {FACET_TABLE} "
            f"WHERE family = %s AND value IN ({marks}))"
        )
        params += [family, *values]
    return "".join(sql), params


# -- bitmaps ----------------------------------------------------------------------------------


# In memory a set of documents is a Python int with a bit per id (the stored bitmaps as
# they are: 12.5 KB per facet value for 100k documents), combined with & and |, counted
# with bit_count(). The matched ids arrive as one comma-separated string, which NumPy
# parses and packs into such an int in C (0.3 ms for 20,000 ids, against 4 ms in Python).


@dataclass
class Masks:
    token: bytes | None = None
    bits: dict[tuple[str, str], int] = field(default_factory=dict)  # a bit per id

    @classmethod
    def read(cls, token, stored: dict[tuple[str, str], bytes]) -> "Masks":
        """Stored bitmaps (bit i of byte i // 8 set for id i) as ints."""
        return cls(token, {key: int.from_bytes(value, "little") for key, value in stored.items()})


def bit_set(ids_csv: str | bytes | None) -> int:
    """Comma-separated ids as a bit-per-id int."""
    if not ids_csv:
        return 0
    if isinstance(ids_csv, bytes):
        ids_csv = ids_csv.decode("ascii")
    ids = np.fromstring(ids_csv, dtype=np.int64, sep=",")
    present = np.zeros(int(ids.max()) + 1, dtype=np.uint8)
    present[ids] = 1
    return int.from_bytes(np.packbits(present, bitorder="little").tobytes(), "little")


# The bitmaps in memory, per database, with the token of the index's state they were read at.
_masks: dict[tuple[str, str], Masks] = {}


def facet_counts(
    matched: tuple[str, list] | None, filters: dict[str, list[str]]
) -> tuple[int, dict[str, dict[str, int]]]:
    """The total and the facet counts over the whole filtered result set, in one query:
    `matched` is the SQL of one row holding the matched ids as text (None: every document).
    The bitmaps come back only when the index's token differs from the one this process
    read them at (every write sets a new random token): most searches read none."""
    database = (connection.vendor, str(connection.settings_dict["NAME"]))
    masks = _masks.get(database) or Masks()
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    sql = (
        f"SELECT family, value, bits FROM {BITS_TABLE} WHERE (family, value) = ('', 'token') "
        f"OR (SELECT bits FROM {BITS_TABLE} WHERE family = '' AND value = 'token') "
        f"{differs} %s"
    )
    params: list = [masks.token]
    if matched:
        sql, params = f"{sql} UNION ALL SELECT NULL, NULL, ({matched[0]})", [*params, *matched[1]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    ids_csv = next((bits for family, _, bits in rows if family is None), None)
    stored = {(family, value): bits for family, value, bits in rows if family is not None}
    token = stored.pop(TOKEN, None)
    token = None if token is None else bytes(token)
    if token != masks.token:
        masks = _masks[database] = Masks.read(token, stored)
    sets = masks.bits
    result = sets.get(EVERY, 0)
    if matched is not None:
        result &= bit_set(ids_csv)
    for family, values in filters.items():
        result &= _union(sets.get((family, value), 0) for value in values)
    total = result.bit_count()
    counts = {}
    if total:
        counts = {key: (result & bits).bit_count() for key, bits in sets.items() if key != EVERY}
    return total, _facets(counts)


def _facets(counts: dict[tuple[str, str], int]) -> dict[str, dict[str, int]]:
    facets: dict[str, dict[str, int]] = {}
    for (family, value), n in counts.items():
        if n:
            facets.setdefault(family, {})[value] = n
    return {
        family: dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0])))
        for family, values in sorted(facets.items())
    }


def _union(masks) -> int:
    result = 0
    for mask in masks:
        result |= mask
    return result


def _set(bits: bytearray, i: int, on: bool) -> None:
    if i >> 3 >= len(bits):
        if not on:
            return
        bits.extend(bytes((i >> 3) + 1 - len(bits)))
    if on:
        bits[i >> 3] |= 1 << (i & 7)
    else:
        bits[i >> 3] &= ~(1 << (i & 7)) & 0xFF


def _update_bitmaps(cursor, ids: list[int], new_facets: list[tuple[int, str, str]]) -> None:
    """Clear the documents' bits (their old facet rows, still in FACET_TABLE) and set the
    new ones; the caller holds the index's write lock."""
    if connection.vendor == "postgresql":
        # Read-modify-write of shared rows: one writer at a time (readers are not blocked).
        cursor.execute(f"LOCK TABLE {BITS_TABLE} IN SHARE ROW EXCLUSIVE MODE")
    old: list[tuple[int, str, str]] = []
    for chunk in _chunks(ids):
        cursor.execute(
            f"SELECT doc_id, family, value FROM {FACET_TABLE} "
            f"WHERE doc_id IN ({', '.join(['%s'] * len(chunk))})",
            chunk,
        )
        old += cursor.fetchall()
    keys = {(f, v) for _, f, v in old} | {(f, v) for _, f, v in new_facets} | {EVERY}
    cursor.execute(f"SELECT family, value, bits FROM {BITS_TABLE}")
    bitmaps = {(f, v): bytearray(bits) for f, v, bits in cursor.fetchall() if (f, v) in keys}
    bitmaps.pop(TOKEN, None)
    for doc_id, family, value in old:
        _set(bitmaps.setdefault((family, value), bytearray()), doc_id, False)
    every = bitmaps.setdefault(EVERY, bytearray())
    for doc_id in ids:
        _set(every, doc_id, False)
    for doc_id, family, value in new_facets:
        _set(bitmaps.setdefault((family, value), bytearray()), doc_id, True)
    stored = {key: bytes(bits.rstrip(b"\0")) for key, bits in bitmaps.items()}
    for family, value in [key for key, bits in stored.items() if not bits]:
        cursor.execute(
            f"DELETE FROM {BITS_TABLE} WHERE family = %s AND value = %s", [family, value]
        )
    stored[TOKEN] = secrets.token_bytes(16)
    cursor.executemany(
        f"INSERT INTO {BITS_TABLE} (family, value, bits) VALUES (%s, %s, %s) "
        "ON CONFLICT (family, value) DO UPDATE SET bits = excluded.bits",
        [(family, value, bits) for (family, value), bits in stored.items() if bits],
    )


def _chunks(ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# -- writes -----------------------------------------------------------------------------------


def store_facets_and_words(cursor, docs) -> None:
    """The documents' facet rows, bitmaps and vocabulary. The rows go in one statement per
    table (an array on PostgreSQL, a JSON array on SQLite): a batch of 2,000 documents has
    some 14,000 facet rows and 20,000 distinct words."""
    ids = [d.id for d in docs]
    rows = [
        (d.id, family, value)
        for d in docs
        for family, values in d.facets.items()
        for value in dict.fromkeys(values)
        if family
    ]
    _update_bitmaps(cursor, ids, [*rows, *((i, *EVERY) for i in ids)])
    for chunk in _chunks(ids):
        cursor.execute(
            f"DELETE FROM {FACET_TABLE} WHERE doc_id IN ({', '.join(['%s'] * len(chunk))})",
            chunk,
        )
    vocabulary = text.folded_words(*(part for d in docs for part in (d.title, d.summary, d.body)))
    words = sorted(w for w in vocabulary if len(w) >= 3)
    if connection.vendor == "postgresql":
        cursor.execute(
            f"INSERT INTO {FACET_TABLE} (doc_id, family, value) "
            "SELECT * FROM unnest(%s::bigint[], %s::text[], %s::text[])",
            [list(column) for column in zip(*rows, strict=True)] if rows else [[], [], []],
        )
        cursor.execute(
            f"INSERT INTO {WORD_TABLE} SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING", [words]
        )
    else:
        cursor.execute(
            f"INSERT INTO {FACET_TABLE} (doc_id, family, value) SELECT json_extract(value, "
            "'$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(%s)",
            [json.dumps(rows)],
        )
        cursor.execute(
            f"INSERT OR IGNORE INTO {WORD_TABLE} SELECT value FROM json_each(%s)",
            [json.dumps(words)],
        )


def remove_facets(cursor, ids: list[int]) -> None:
    _update_bitmaps(cursor, ids, [])
    for chunk in _chunks(ids):
        cursor.execute(
            f"DELETE FROM {FACET_TABLE} WHERE doc_id IN ({', '.join(['%s'] * len(chunk))})",
            chunk,
        )
