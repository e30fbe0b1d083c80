"""SQLite FTS5 backend. One FTS5 table holds the title, summary and body (folded by the
`unicode61 remove_diacritics 2` tokenizer) and two columns of Snowball stems (of the
title, and of all the text). A query word matches its exact columns OR its stem columns;
bm25 weighs title > summary > body and the stem columns lower than the exact ones, so an
exact word outranks a stem-only match."""

# ruff: noqa: S608 -- the SQL is built from this package's constant table names and
# placeholders only; every value (user text included) is passed as a parameter.

from django.db import connection, transaction

from alliances.resources.search import engine, text

FTS = "resources_search_fts"
# bm25 weights of: title, summary, body, title_stems, text_stems: the table's rank, set by
# migration 0001 (a change here needs a migration updating the rank).
WEIGHTS = (10.0, 4.0, 1.0, 5.0, 0.5)

# The tables are created by migration resources 0001_search_index.


def match_expression(terms: list[str], *, any_term: bool = False) -> str:
    """An FTS5 query from folded words only ([^\\W_]+, so quoting them is always safe)."""
    clauses = [
        f'({{title summary body}} : "{t}" OR {{title_stems text_stems}} : "{text.stem(t)}")'
        for t in terms
    ]
    return (" OR " if any_term else " AND ").join(clauses)


def stems_expression(terms: list[str], *, any_term: bool = False) -> str:
    """The same documents as `match_expression`, for counting: a word's exact match implies
    its stem's (both sides are folded then stemmed), so one doclist a word is enough, where
    ranking needs the exact columns too."""
    clauses = [f'{{text_stems}} : "{text.stem(t)}"' for t in terms]
    return (" OR " if any_term else " AND ").join(clauses)


def title_tier(terms: list[str]) -> str:
    """Documents with one of the words (or a word of the same stem) in their title."""
    return "{title_stems} : (" + " OR ".join(f'"{text.stem(t)}"' for t in terms) + ")"


def hits(terms, filters, limit, offset, *, any_term=False):
    """A page of (id, score, summary, body) in rank order: the title tier, then the rest.
    For one word (or the typo fallback's alternatives), the rest is scanned and ranked (by
    the same statement) only when the title tier is shorter than offset + limit: otherwise
    its MATCH is the empty phrase, which matches nothing at no cost."""
    where, params = engine.filter_sql("rowid", filters)
    with connection.cursor() as cursor:
        if len(terms) > 1 and not any_term:
            # All the words must match: few documents do, and ranking them in one statement
            # costs less than two members, each of which has bm25 read the whole list of
            # documents of every word (for its idf) -- long for a common word.
            in_title = " OR ".join(["instr(' ' || title_stems || ' ', %s)"] * len(terms))
            cursor.execute(
                f"SELECT rowid, -rank, summary, body FROM {FTS} WHERE {FTS} MATCH %s{where} "
                f"ORDER BY ({in_title}) DESC, rank, rowid LIMIT %s OFFSET %s",
                [
                    match_expression(terms),
                    *params,
                    *(f" {text.stem(t)} " for t in terms),
                    limit,
                    offset,
                ],
            )
        elif terms:
            expression = match_expression(terms, any_term=any_term)
            tier = title_tier(terms)
            end = offset + limit
            cursor.execute(
                f"WITH tier AS MATERIALIZED (SELECT rowid AS id, -rank AS score, summary, body, "
                f"0 AS t FROM {FTS} WHERE {FTS} MATCH %s{where} ORDER BY rank, rowid LIMIT %s) "
                "SELECT id, score, summary, body FROM (SELECT * FROM tier UNION ALL "
                f"SELECT * FROM (SELECT rowid, -rank, summary, body, 1 FROM {FTS} "
                f"WHERE {FTS} MATCH (CASE WHEN (SELECT count(*) FROM tier) < %s "
                f"THEN %s ELSE '\"\"' END){where} "
                "ORDER BY rank, rowid LIMIT %s)) ORDER BY t, score DESC, id LIMIT %s OFFSET %s",
                [
                    f"({expression}) AND {tier}",
                    *params,
                    end,
                    end,
                    f"({expression}) NOT {tier}",
                    *params,
                    end,
                    limit,
                    offset,
                ],
            )
        else:
            cursor.execute(
                f"SELECT rowid, 0, summary, body FROM {FTS} WHERE 1{where} "
                "ORDER BY rowid LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
        return cursor.fetchall()


def count(terms, filters, any_term=False) -> int:
    where, params = engine.filter_sql("rowid", filters)
    with connection.cursor() as cursor:
        if terms:
            cursor.execute(
                f"SELECT count(*) FROM {FTS} WHERE {FTS} MATCH %s{where}",
                [stems_expression(terms, any_term=any_term), *params],
            )
        else:
            cursor.execute(f"SELECT count(*) FROM {FTS} WHERE 1{where}", params)
        return cursor.fetchone()[0]


def matched_sql(terms, any_term=False) -> tuple[str, list]:
    """One row: the ids the words match, comma-separated (a string: much faster to fetch
    than rows)."""
    return (
        f"SELECT group_concat(rowid) FROM {FTS} WHERE {FTS} MATCH %s",
        [stems_expression(terms, any_term=any_term)],
    )


def near_words(term: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT word FROM {engine.WORD_TABLE} WHERE word >= %s AND word < %s "
            "AND length(word) BETWEEN %s AND %s",
            [term[0], term[0] + "\uffff", len(term) - 1, len(term) + 1],
        )
        return [w for (w,) in cursor.fetchall() if text.within_one_typo(w, term)][:5]


@transaction.atomic
def index_documents(docs) -> None:
    if not docs:
        return
    docs = list({d.id: d for d in docs}.values())
    with connection.cursor() as cursor:
        _delete(cursor, [d.id for d in docs])
        cursor.executemany(
            f"INSERT INTO {FTS} (rowid, title, summary, body, title_stems, text_stems) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (
                    d.id,
                    d.title,
                    d.summary,
                    d.body,
                    text.stems_text(d.title),
                    text.stems_text(d.title, d.summary, d.body),
                )
                for d in docs
            ],
        )
        engine.store_facets_and_words(cursor, docs)


def _delete(cursor, ids):
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        cursor.execute(
            f"DELETE FROM {FTS} WHERE rowid IN ({', '.join(['%s'] * len(chunk))})", chunk
        )


@transaction.atomic
def remove_documents(ids) -> None:
    with connection.cursor() as cursor:
        _delete(cursor, ids)
        engine.remove_facets(cursor, ids)


@transaction.atomic
def clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS}")
        cursor.execute(f"DELETE FROM {engine.FACET_TABLE}")
        cursor.execute(f"DELETE FROM {engine.WORD_TABLE}")
        cursor.execute(f"DELETE FROM {engine.BITS_TABLE}")
