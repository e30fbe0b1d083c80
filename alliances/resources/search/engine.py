"""The backend-independent part of a search: terms, fallback, facets, snippets."""

# ruff: noqa: S608 -- the SQL is built from this package's constant table names and
# placeholders only; every value (user text included) is passed as a parameter.

from django.db import connection

from alliances.resources.search import text

FACET_TABLE = "resources_search_facet"
WORD_TABLE = "resources_search_word"
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
    count, facets = facet_counts(
        backend.matched_sql(corrected or terms, filters, bool(corrected)), families=with_facets
    )
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


def facet_counts(
    matched: tuple[str, list], *, families: bool = True
) -> tuple[int, dict[str, dict[str, int]]]:
    """The total and the facet counts over the whole filtered result set, in one query."""
    sql, params = matched
    with connection.cursor() as cursor:
        if not families:
            cursor.execute(f"SELECT count(*) FROM ({sql}) matched", params)
            return cursor.fetchone()[0], {}
        cursor.execute(
            f"WITH matched AS MATERIALIZED ({sql}) "
            "SELECT '', '', count(*) FROM matched UNION ALL "
            f"SELECT family, value, count(*) FROM {FACET_TABLE} "
            "WHERE doc_id IN (SELECT id FROM matched) GROUP BY family, value",
            params,
        )
        rows = cursor.fetchall()
    total, facets = 0, {}
    for family, value, n in rows:
        if family == "":
            total = n
        else:
            facets.setdefault(family, {})[value] = n
    return total, {
        family: dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0])))
        for family, values in sorted(facets.items())
    }


def store_facets_and_words(cursor, docs, *, upsert_word_sql: str) -> None:
    ids = [d.id for d in docs]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        cursor.execute(
            f"DELETE FROM {FACET_TABLE} WHERE doc_id IN ({', '.join(['%s'] * len(chunk))})",
            chunk,
        )
    cursor.executemany(
        f"INSERT INTO {FACET_TABLE} (doc_id, family, value) VALUES (%s, %s, %s)",
        [
            (d.id, family, value)
            for d in docs
            for family, values in d.facets.items()
            for value in dict.fromkeys(values)
        ],
    )
    vocabulary = {
        text.fold(w)
        for d in docs
        for part in (d.title, d.summary, d.body)
        for w in text.words(part)
    }
    cursor.executemany(upsert_word_sql, [(w,) for w in sorted(vocabulary) if len(w) >= 3])


def remove_facets(cursor, ids: list[int]) -> None:
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        cursor.execute(
            f"DELETE FROM {FACET_TABLE} WHERE doc_id IN ({', '.join(['%s'] * len(chunk))})",
            chunk,
        )
