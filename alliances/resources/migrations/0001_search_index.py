"""The search index's tables: FTS5 on SQLite, tsvector + GIN on PostgreSQL (see
alliances.resources.search). Each backend's statements run only on its own database, so the
migration is a no-op on the other. The SQL is written out here, not imported from the search
package, so that later changes to the package cannot rewrite this migration's history."""

from django.db import migrations

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE resources_search_fts USING fts5(title, summary, body, title_stems, text_stems, tokenize = 'unicode61 remove_diacritics 2')",
    "INSERT INTO resources_search_fts (resources_search_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 1.0, 5.0, 0.5)')",
    'CREATE TABLE resources_search_facet (doc_id INTEGER NOT NULL, family TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (family, value, doc_id)) WITHOUT ROWID',
    'CREATE INDEX resources_search_facet_doc ON resources_search_facet (doc_id)',
    'CREATE TABLE resources_search_word (word TEXT PRIMARY KEY) WITHOUT ROWID',
]

SQLITE_DROP = [
    'DROP TABLE IF EXISTS resources_search_word',
    'DROP TABLE IF EXISTS resources_search_facet',
    'DROP TABLE IF EXISTS resources_search_fts',
]

POSTGRES_CREATE = [
    'CREATE EXTENSION IF NOT EXISTS unaccent',
    'CREATE EXTENSION IF NOT EXISTS pg_trgm',
    "DO $$ BEGIN\n        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN\n            CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);\n            ALTER TEXT SEARCH CONFIGURATION french_unaccent\n                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;\n        END IF;\n    END $$",
    'CREATE TABLE resources_search_doc (id bigint PRIMARY KEY, title text NOT NULL, summary text NOT NULL, body text NOT NULL, vector tsvector NOT NULL)',
    'CREATE INDEX resources_search_doc_vector ON resources_search_doc USING gin (vector)',
    'CREATE TABLE resources_search_facet (doc_id bigint NOT NULL, family text NOT NULL, value text NOT NULL, PRIMARY KEY (family, value, doc_id))',
    'CREATE INDEX resources_search_facet_doc ON resources_search_facet (doc_id)',
    'CREATE TABLE resources_search_word (word text PRIMARY KEY)',
    'CREATE INDEX resources_search_word_trgm ON resources_search_word USING gin (word gin_trgm_ops)',
]

POSTGRES_DROP = [
    'DROP TABLE IF EXISTS resources_search_word',
    'DROP TABLE IF EXISTS resources_search_facet',
    'DROP TABLE IF EXISTS resources_search_doc',
    'DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent',
]
STATEMENTS = {
    "sqlite": (SQLITE_CREATE, SQLITE_DROP),
    "postgresql": (POSTGRES_CREATE, POSTGRES_DROP),
}


def _run(step: int):
    def run(apps, schema_editor):
        for statement in STATEMENTS.get(schema_editor.connection.vendor, ((), ()))[step]:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies: list = []
    operations = [migrations.RunPython(_run(0), _run(1))]
