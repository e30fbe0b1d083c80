"""Search speed (see alliances.resources.search): a bitmap of documents per facet value, and
on PostgreSQL a tsvector of the title alone with its GIN index (the title tier of the rank).
The bitmaps of an existing index are built from its facet rows; the SQL is written out here,
not imported from the search package, so that later changes to it cannot rewrite history."""

import secrets

from django.db import migrations

BITS_TABLE = "resources_search_bits"

CREATE = {
    "sqlite": [
        f"CREATE TABLE {BITS_TABLE} (family TEXT NOT NULL, value TEXT NOT NULL, "
        "bits BLOB NOT NULL, PRIMARY KEY (family, value)) WITHOUT ROWID",
    ],
    "postgresql": [
        f"CREATE TABLE {BITS_TABLE} (family text NOT NULL, value text NOT NULL, "
        "bits bytea NOT NULL, PRIMARY KEY (family, value))",
        # Bitmaps of random-looking bits do not compress: keep them out of pglz's way.
        f"ALTER TABLE {BITS_TABLE} ALTER COLUMN bits SET STORAGE EXTERNAL",
        # Texts and vectors out of line (TOAST): the heap keeps ~100-byte rows, so that the
        # bitmap heap scan counting a common word's matches visits 5× fewer pages.
        "ALTER TABLE resources_search_doc SET (toast_tuple_target = 128)",
        "ALTER TABLE resources_search_doc ALTER COLUMN vector SET STORAGE EXTERNAL",
        "ALTER TABLE resources_search_doc ADD COLUMN title_vector tsvector NOT NULL "
        "DEFAULT ''::tsvector",
        "UPDATE resources_search_doc SET title_vector = to_tsvector('french_unaccent', title)",
        "CREATE INDEX resources_search_doc_title_vector ON resources_search_doc "
        "USING gin (title_vector)",
    ],
}
DROP = {
    "sqlite": [f"DROP TABLE IF EXISTS {BITS_TABLE}"],
    "postgresql": [
        f"DROP TABLE IF EXISTS {BITS_TABLE}",
        "DROP INDEX IF EXISTS resources_search_doc_title_vector",
        "ALTER TABLE resources_search_doc DROP COLUMN IF EXISTS title_vector",
        "ALTER TABLE resources_search_doc ALTER COLUMN vector SET STORAGE EXTENDED",
        "ALTER TABLE resources_search_doc RESET (toast_tuple_target)",
    ],
}


def _set(bits: bytearray, i: int) -> None:
    if i >> 3 >= len(bits):
        bits.extend(bytes((i >> 3) + 1 - len(bits)))
    bits[i >> 3] |= 1 << (i & 7)


def forward(apps, schema_editor) -> None:
    connection = schema_editor.connection
    for statement in CREATE.get(connection.vendor, ()):
        schema_editor.execute(statement, params=None)
    if connection.vendor not in CREATE:
        return
    bitmaps: dict[tuple[str, str], bytearray] = {}
    with connection.cursor() as cursor:
        # The row ("", "") holds every indexed document.
        cursor.execute(
            "SELECT doc_id, family, value FROM resources_search_facet UNION ALL "
            + (
                "SELECT rowid, '', '' FROM resources_search_fts"
                if connection.vendor == "sqlite"
                else "SELECT id, '', '' FROM resources_search_doc"
            )
        )
        for doc_id, family, value in cursor.fetchall():
            _set(bitmaps.setdefault((family, value), bytearray()), doc_id)
        cursor.executemany(
            f"INSERT INTO {BITS_TABLE} (family, value, bits) VALUES (%s, %s, %s)",
            [(family, value, bytes(bits)) for (family, value), bits in bitmaps.items()]
            # The token of the index's state, new at every write (processes cache the bitmaps
            # read at a token).
            + [("", "token", secrets.token_bytes(16))],
        )


def backward(apps, schema_editor) -> None:
    for statement in DROP.get(schema_editor.connection.vendor, ()):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("resources", "0003_default_referentiel")]
    operations = [migrations.RunPython(forward, backward)]
