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
    """plainto_tsquery accepts any text; the terms are words already. OR for the fallback.
    A sub-select (an InitPlan) hides the query from the planner, which then assumes a
    selective one and scans the GIN index: seeing a common word, it would scan the whole
    table instead and read every vector out of TOAST (10× slower)."""
    if any_term:
        return f"(SELECT replace(plainto_tsquery('{CONFIG}', %s)::text, '&', '|')::tsquery)"
    return f"(SELECT plainto_tsquery('{CONFIG}', %s))"


def hits(terms, filters, limit, offset, *, any_term=False):
    """A page of (id, score, summary, body) in rank order: the title tier (title_vector, its
    own GIN index), then the rest. The rest is ranked by the same statement only when the
    title tier is shorter than offset + limit: its WHERE holds an uncorrelated test that
    PostgreSQL makes once (a one-time filter) before scanning."""
    where, params = engine.filter_sql("d.id", filters)
    with connection.cursor() as cursor:
        if terms:
            end = offset + limit
            words = " ".join(terms)
            member = (
                f"SELECT d.id, ts_rank_cd(d.vector, {_tsquery(any_term)}) AS score, d.summary, "
                f"d.body, %s AS tier FROM {DOCS} d WHERE d.vector @@ {_tsquery(any_term)} "
                f"AND {{}} d.title_vector @@ {_tsquery(True)}{where} "
                "ORDER BY score DESC, d.id LIMIT %s"
            )
            cursor.execute(
                f"WITH tier AS MATERIALIZED ({member.format('')}) "
                "SELECT id, score, summary, body FROM (SELECT * FROM tier UNION ALL "
                f"SELECT * FROM ({member.format('NOT')}) rest "
                "WHERE (SELECT count(*) FROM tier) < %s) page "
                "ORDER BY tier, score DESC, id LIMIT %s OFFSET %s",
                [
                    *(words, 0, words, words, *params, end),
                    *(words, 1, words, words, *params, end),
                    *(end, limit, offset),
                ],
            )
        else:
            cursor.execute(
                f"SELECT d.id, 0, d.summary, d.body FROM {DOCS} d WHERE true{where} "
                "ORDER BY d.id LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
        return cursor.fetchall()


def count(terms, filters, any_term=False) -> int:
    where, params = engine.filter_sql("d.id", filters)
    with connection.cursor() as cursor:
        if terms:
            cursor.execute(
                f"SELECT count(*) FROM {DOCS} d WHERE d.vector @@ {_tsquery(any_term)}{where}",
                [" ".join(terms), *params],
            )
        else:
            cursor.execute(f"SELECT count(*) FROM {DOCS} d WHERE true{where}", params)
        return cursor.fetchone()[0]


def matched_sql(terms, any_term=False) -> tuple[str, list]:
    """One row: the ids the words match, comma-separated, as bytea (read in a UNION with
    the bitmaps): a string is much faster to fetch than rows."""
    return (
        f"SELECT convert_to(string_agg(d.id::text, ','), 'UTF8') FROM {DOCS} d "
        f"WHERE d.vector @@ {_tsquery(any_term)}",
        [" ".join(terms)],
    )


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
        # One statement for the batch (arrays): faster than a statement per document.
        cursor.execute(
            f"INSERT INTO {DOCS} (id, title, summary, body, title_vector, vector) "
            f"SELECT id, title, summary, body, tv, setweight(tv, 'A') || "
            f"setweight(to_tsvector('{CONFIG}', summary), 'B') || "
            f"setweight(to_tsvector('{CONFIG}', body), 'C') FROM (SELECT *, "
            f"to_tsvector('{CONFIG}', title) AS tv FROM unnest(%s::bigint[], %s::text[], "
            "%s::text[], %s::text[]) AS new (id, title, summary, body)) new "
            "ON CONFLICT (id) DO UPDATE SET title = excluded.title, summary = excluded.summary, "
            "body = excluded.body, title_vector = excluded.title_vector, "
            "vector = excluded.vector",
            [
                [d.id for d in docs],
                [d.title for d in docs],
                [d.summary for d in docs],
                [d.body for d in docs],
            ],
        )
        engine.store_facets_and_words(cursor, docs)


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
        cursor.execute(
            f"TRUNCATE {DOCS}, {engine.FACET_TABLE}, {engine.WORD_TABLE}, {engine.BITS_TABLE}"
        )
