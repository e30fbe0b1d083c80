"""PostgreSQL backend: a table with a weighted tsvector (title A, summary B, body C) on the
`french_unaccent` configuration (unaccent then french_stem), a GIN index, ts_rank_cd; the
typo fallback uses pg_trgm similarity on the vocabulary table."""

# ruff: noqa: S608 -- the SQL is built from this package's constant table names and
# placeholders only; every value (user text included) is passed as a parameter.

from django.db import connection, transaction

from alliances.resources.search import engine

DOCS = "resources_search_doc"
CONFIG = "french_unaccent"

# The tables are created by migration resources 0001_search_index.


def _tsquery(any_term: bool) -> str:
    # plainto_tsquery accepts any text; the terms are words already. OR for the fallback.
    if any_term:
        return f"(SELECT replace(plainto_tsquery('{CONFIG}', %s)::text, '&', '|')::tsquery)"
    return f"plainto_tsquery('{CONFIG}', %s)"


def hits(terms, filters, limit, offset, *, any_term=False):
    where, params = engine.filter_sql("d.id", filters)
    with connection.cursor() as cursor:
        if terms:
            cursor.execute(
                f"SELECT d.id, ts_rank_cd(d.vector, t.q) AS score, d.summary, d.body "
                f"FROM {DOCS} d, (SELECT {_tsquery(any_term)} AS q) t WHERE d.vector @@ t.q{where} "
                "ORDER BY score DESC, d.id LIMIT %s OFFSET %s",
                [" ".join(terms), *params, limit, offset],
            )
        else:
            cursor.execute(
                f"SELECT d.id, 0, d.summary, d.body FROM {DOCS} d WHERE true{where} "
                "ORDER BY d.id LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
        return cursor.fetchall()


def matched_sql(terms, filters, any_term=False):
    where, params = engine.filter_sql("d.id", filters)
    if terms:
        return (
            f"SELECT d.id FROM {DOCS} d WHERE d.vector @@ {_tsquery(any_term)}{where}",
            [" ".join(terms), *params],
        )
    return f"SELECT d.id FROM {DOCS} d WHERE true{where}", params


def near_words(term: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT word FROM {engine.WORD_TABLE} WHERE word %% %s "
            "ORDER BY similarity(word, %s) DESC, word LIMIT 5",
            [term, term],
        )
        return [w for (w,) in cursor.fetchall()]


@transaction.atomic
def index_documents(docs) -> None:
    if not docs:
        return
    docs = list({d.id: d for d in docs}.values())
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {DOCS} (id, title, summary, body, vector) VALUES (%s, %s, %s, %s, "
            f"setweight(to_tsvector('{CONFIG}', %s), 'A') || "
            f"setweight(to_tsvector('{CONFIG}', %s), 'B') || "
            f"setweight(to_tsvector('{CONFIG}', %s), 'C')) "
            "ON CONFLICT (id) DO UPDATE SET title = excluded.title, summary = excluded.summary, "
            "body = excluded.body, vector = excluded.vector",
            [(d.id, d.title, d.summary, d.body, d.title, d.summary, d.body) for d in docs],
        )
        engine.store_facets_and_words(
            cursor,
            docs,
            upsert_word_sql=f"INSERT INTO {engine.WORD_TABLE} VALUES (%s) ON CONFLICT DO NOTHING",
        )


@transaction.atomic
def remove_documents(ids) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor.execute(
                f"DELETE FROM {DOCS} WHERE id IN ({', '.join(['%s'] * len(chunk))})", chunk
            )
        engine.remove_facets(cursor, ids)


@transaction.atomic
def clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {DOCS}, {engine.FACET_TABLE}, {engine.WORD_TABLE}")
