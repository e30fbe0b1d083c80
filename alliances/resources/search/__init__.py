"""The resource centre's French full-text search: one interface, two backends chosen by
the database vendor (SQLite FTS5, PostgreSQL tsvector). It indexes plain `Document`s, not
a model: the service layer turns resources into documents on save.

Matching: every query word must match (AND), as the same word without accents and case,
or as a word with the same French Snowball stem. Rank: the documents with a query word (or
its stem) in their title come first, then the others; within each of these two tiers, bm25
(SQLite) or ts_rank_cd (PostgreSQL) weighs titles above summaries above bodies, and on
SQLite exact words above stem-only ones. Ranking the title tier first is what keeps a page
of a common word cheap: the rest is ranked only when a page reaches past the tier. An empty
query lists every document by id. Filters: AND across facet families, OR within one.

Count and facet counts are exact over the whole filtered result set, counted on bitmaps
kept in the index (see engine.py): a search is two queries, the page then the count with
the facet counts.

Typo fallback: when a one-word query of 4 letters or more finds nothing, the index's
vocabulary words within one typo of it (same first letter on SQLite, trigram similarity
on PostgreSQL) are searched instead; that search costs two more queries.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection

from alliances.resources.search import postgres, sqlite


@dataclass(frozen=True)
class Document:
    id: int
    title: str
    summary: str = ""
    body: str = ""
    facets: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    id: int
    score: float
    snippet_html: str


@dataclass
class SearchResult:
    count: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    corrected: list[str] = field(default_factory=list)  # words the typo fallback searched


def _backend():
    return postgres if connection.vendor == "postgresql" else sqlite


def index_documents(docs: Iterable[Document]) -> None:
    """Add or replace the documents (by id)."""
    _backend().index_documents(list(docs))


def remove_documents(ids: Iterable[int]) -> None:
    _backend().remove_documents([int(i) for i in ids])


def clear() -> None:
    _backend().clear()


def search(
    query: str,
    *,
    filters: dict[str, list[str]] | None = None,
    limit: int = 20,
    offset: int = 0,
    with_facets: bool = True,
) -> SearchResult:
    """`with_facets=False` counts the results without counting their facets (a search box
    that shows no facets): a plain count, a little cheaper than the bitmaps' one."""
    from alliances.resources.search import engine

    return engine.search(
        _backend(),
        query,
        filters=filters or {},
        limit=limit,
        offset=offset,
        with_facets=with_facets,
    )
