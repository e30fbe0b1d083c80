"""The search engine's behaviour, the same tests on SQLite FTS5 and PostgreSQL (run the
suite with DATABASE_URL=postgres://… for the second)."""

import pytest
from django.db import connection

from alliances.resources import search
from alliances.resources.search import Document

pytestmark = pytest.mark.django_db

DOCS = [
    Document(
        1,
        "La coopération entre associations",
        "Une fiche sur les partenariats.",
        "Comment construire une alliance durable entre structures.",
        {"kind": ["fiche"], "tag": ["emploi", "mecenat"], "territory": ["94"], "year": ["2024"]},
    ),
    Document(
        2,
        "Guide du mécénat de compétences",
        "Entreprises et associations.",
        "Les coopérations territoriales naissent du mécénat & d'un dialogue <b>suivi</b>.",
        {"kind": ["methode"], "tag": ["mecenat"], "territory": ["75"], "year": ["2023"]},
    ),
    Document(
        3,
        "Fragilités des territoires ruraux",
        "Étude sur les fragilités.",
        "Une étude longue sur la mobilité et l'emploi.",
        {"kind": ["etude"], "tag": ["emploi"], "territory": ["94"], "year": ["2024"]},
    ),
    Document(
        4,
        "Témoignage d'un élu",
        "Un maire raconte.",
        "Il parle de cooperation intercommunale.",
        {"kind": ["temoignage"], "tag": ["gouvernance"], "territory": ["13"], "year": ["2022"]},
    ),
]


@pytest.fixture
def indexed():
    search.clear()
    search.index_documents(DOCS)


def ids(result):
    return [h.id for h in result.hits]


def test_the_backend_follows_the_database(indexed):
    assert connection.vendor in {"sqlite", "postgresql"}
    assert search.search("associations").count == 2


@pytest.mark.parametrize("query", ["coopération", "cooperation", "COOPÉRATIONS", "Coopérations"])
def test_accents_case_and_plurals_match_the_same_documents(indexed, query):
    assert sorted(ids(search.search(query))) == [1, 2, 4]


def test_a_stem_matches_other_inflections(indexed):
    assert ids(search.search("fragilite")) == [3]
    assert set(ids(search.search("partenariat"))) == {1}
    assert set(ids(search.search("association"))) == {1, 2}
    assert ids(search.search("territoire")) == [3]


def test_all_words_must_match(indexed):
    assert ids(search.search("coopération mécénat")) == [2]
    assert search.search("coopération girafe").count == 0


def test_a_title_hit_ranks_above_a_summary_hit_above_a_body_hit():
    search.clear()
    search.index_documents(
        [
            Document(20, "Un guide", "Pour tous.", "Parler de gouvernance partagée ici."),
            Document(21, "La gouvernance partagée", "Pour tous.", "Un guide."),
            Document(22, "Un guide", "La gouvernance partagée.", "Un guide."),
        ]
    )
    result = search.search("gouvernance")
    assert ids(result) == [21, 22, 20]
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)


def test_snippets_are_escaped_and_mark_the_matched_words(indexed):
    hit = search.search("dialogue").hits[0]
    assert hit.id == 2
    assert "&amp; d&#x27;un <mark>dialogue</mark> &lt;b&gt;suivi&lt;/b&gt;" in hit.snippet_html
    assert "<b>" not in hit.snippet_html
    stemmed = search.search("cooperation").hits
    assert any("<mark>coopérations</mark>" in h.snippet_html for h in stemmed)


def test_facets_are_counted_over_the_whole_filtered_set(indexed):
    result = search.search("", filters={"territory": ["94"]}, limit=1)
    assert result.count == 2
    assert len(result.hits) == 1
    assert result.facets["kind"] == {"etude": 1, "fiche": 1}
    assert result.facets["tag"] == {"emploi": 2, "mecenat": 1}
    assert result.facets["territory"] == {"94": 2}


def test_filters_are_or_within_a_family_and_across_families(indexed):
    assert ids(search.search("", filters={"kind": ["fiche", "etude"]})) == [1, 3]
    assert ids(search.search("", filters={"kind": ["fiche", "etude"], "year": ["2023"]})) == []
    assert ids(search.search("", filters={"tag": ["mecenat"], "territory": ["94"]})) == [1]
    assert set(ids(search.search("coopération", filters={"tag": ["mecenat"]}))) == {1, 2}
    assert search.search("", filters={"kind": []}).count == 4


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "'",
        '"coopération',
        "*",
        "co*",
        "NEAR(a b)",
        "-mécénat",
        "title:x",
        "a:b:c",
        "AND",
        "OR OR",
        "NOT",
        "()",
        "(((",
        "^",
        "\\",
        "%_",
        "'; DROP TABLE x; --",
        "\x00",
        "🙂",
        "  ",
    ],
)
def test_hostile_queries_never_raise(indexed, query):
    result = search.search(query)
    assert result.count >= 0


def test_an_empty_query_lists_everything_in_a_stable_order(indexed):
    result = search.search("")
    assert result.count == 4
    assert ids(result) == [1, 2, 3, 4]
    assert ids(search.search("", limit=2, offset=2)) == [3, 4]
    assert result.facets["year"] == {"2024": 2, "2022": 1, "2023": 1}


def test_a_search_without_facets_still_counts(indexed):
    result = search.search("coopération", filters={"tag": ["mecenat"]}, with_facets=False)
    assert result.count == 2
    assert result.facets == {}


def test_pages_past_the_end_still_count(indexed):
    result = search.search("coopération", limit=2, offset=10)
    assert result.hits == []
    assert result.count == 3


def test_upsert_replaces_a_document_and_its_facets(indexed):
    search.index_documents([Document(3, "Vélos partagés", "", "", {"kind": ["outil"]})])
    assert search.search("fragilités").count == 0
    result = search.search("vélos")
    assert ids(result) == [3]
    assert search.search("", filters={"kind": ["outil"]}).count == 1
    assert search.search("", filters={"kind": ["etude"]}).count == 0
    assert search.search("").count == 4


def test_remove_documents(indexed):
    search.remove_documents([1, 2])
    assert search.search("coopération").count == 1
    assert search.search("").facets["kind"] == {"etude": 1, "temoignage": 1}


def test_a_short_query_tolerates_one_typo(indexed, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # the failed search, the vocabulary, the retry
        result = search.search("mecenta")
    assert 2 in ids(result)
    assert "mecenat" in result.corrected
    assert search.search("zzzzzz").count == 0


def test_exact_words_rank_above_stem_only_matches():
    search.clear()
    search.index_documents(
        [
            Document(10, "Les partenaires du projet", "", ""),
            Document(11, "Le partenariat du projet", "", ""),
        ]
    )
    if connection.vendor == "sqlite":
        assert ids(search.search("partenariat"))[0] == 11


def test_a_search_costs_at_most_three_queries(indexed, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        result = search.search("coopération", filters={"tag": ["mecenat"], "year": ["2024"]})
    assert ids(result) == [1]
    with django_assert_max_num_queries(3):
        search.search("")


def test_the_sqlite_rank_uses_the_documented_weights():
    if connection.vendor != "sqlite":
        pytest.skip("FTS5 only")
    from alliances.resources.search import sqlite

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT v FROM {sqlite.FTS}_config WHERE k = 'rank'")  # noqa: S608
        assert cursor.fetchone()[0] == f"bm25({', '.join(map(str, sqlite.WEIGHTS))})"


# -- speed: title tier, bitmaps (see alliances.resources.search.engine) -----------------------

WORDS = "mobilité emploi logement santé culture jeunesse mécénat gouvernance".split()
FAMILIES = {
    "kind": ["fiche", "methode", "outil"],
    "tag": ["forme:dialogue", "type:mecenat", "fragilite:emploi", "acteur:association"],
    "territoire": ["11", "84", "93"],
    "annee": ["2023", "2024"],
}


def many_documents(n=300, seed=5):
    import random

    rng = random.Random(seed)
    docs = []
    for i in range(1, n + 1):
        facets = {family: rng.sample(values, 1) for family, values in FAMILIES.items()}
        facets["tag"] = rng.sample(FAMILIES["tag"], rng.randint(0, 3))
        docs.append(
            Document(
                i * 7,  # sparse ids, over several bytes of the bitmaps
                " ".join(rng.sample(WORDS, 2)),
                " ".join(rng.sample(WORDS, 3)),
                " ".join(rng.choices(WORDS, k=12)),
                facets,
            )
        )
    return docs


def naive(docs, word=None, filters=None):
    """What a search must answer, counted the slow way: the documents holding the word
    (accents aside), then each facet value's count among those passing the filters."""
    from alliances.resources.search import text

    kept = [
        d
        for d in docs
        if (word is None or word in text.fold(f"{d.title} {d.summary} {d.body}").split())
        and all(set(d.facets.get(f, [])) & set(values) for f, values in (filters or {}).items())
    ]
    facets = {}
    for d in kept:
        for family, values in d.facets.items():
            for value in values:
                facets.setdefault(family, {}).setdefault(value, 0)
                facets[family][value] += 1
    return len(kept), facets


@pytest.mark.parametrize(
    ("word", "filters"),
    [
        (None, None),
        ("emploi", None),
        ("mecenat", {"kind": ["fiche", "outil"]}),
        ("sante", {"tag": ["type:mecenat", "acteur:association"], "annee": ["2024"]}),
        (None, {"territoire": ["93"]}),
    ],
)
def test_counts_and_facets_equal_a_naive_count_over_a_large_set(word, filters):
    docs = many_documents()
    search.clear()
    search.index_documents(docs[:150])
    search.index_documents(docs[150:])
    result = search.search(word or "", filters=filters or {}, limit=5)
    count, facets = naive(docs, word, filters)
    assert result.count == count > 5
    assert result.facets == facets
    assert search.search(word or "", filters=filters or {}, with_facets=False).count == count


def test_bitmaps_follow_upserts_removals_and_clear():
    docs = many_documents(60)
    search.clear()
    search.index_documents(docs)
    changed = [
        Document(d.id, d.title, d.summary, d.body, {"kind": ["kit"], "tag": ["type:mecenat"]})
        for d in docs[:20]
    ]
    search.index_documents(changed)
    search.remove_documents([d.id for d in docs[50:]])
    current = changed + docs[20:50]
    for word in (None, "emploi", "culture"):
        count, facets = naive(current, word)
        result = search.search(word or "")
        assert (result.count, result.facets) == (count, facets)
    assert search.search("", filters={"kind": ["kit"]}).count == 20
    search.remove_documents([d.id for d in current])
    assert search.search("").count == 0
    assert search.search("emploi").facets == {}
    search.index_documents(docs[:3])
    search.clear()
    assert search.search("").count == 0
    search.index_documents(docs[:3])
    assert search.search("").facets["kind"] == naive(docs[:3])[1]["kind"]


def test_title_hits_come_first_then_the_rest_by_rank_and_pages_cross_the_tiers():
    search.clear()
    body_only = [
        Document(i, "Un guide", "Pour tous.", "mobilité " * (i % 5 + 1)) for i in range(1, 31)
    ]
    in_title = [Document(100 + i, f"La mobilité {i}", "Pour tous.", "") for i in range(1, 6)]
    search.index_documents(body_only + in_title)
    every = ids(search.search("mobilite", limit=100))
    assert set(every[:5]) == {101, 102, 103, 104, 105}
    assert sorted(every[5:]) == list(range(1, 31))
    rest = search.search("mobilite", limit=100).hits[5:]
    assert [h.score for h in rest] == sorted((h.score for h in rest), reverse=True)
    pages = [ids(search.search("mobilite", limit=4, offset=o)) for o in range(0, 40, 4)]
    assert [i for page in pages for i in page] == every
    assert search.search("mobilite", limit=4, offset=8).count == 35


def test_a_search_ranks_only_the_title_tier_when_it_fills_the_page(django_assert_num_queries):
    search.clear()
    search.index_documents(
        [Document(i, f"Mobilité {i}", "", "") for i in range(1, 31)]
        + [Document(100 + i, "Un guide", "", "mobilité") for i in range(1, 31)]
    )
    with django_assert_num_queries(2):  # the page, then the count and facets
        result = search.search("mobilité", limit=10)
    assert set(ids(result)) <= set(range(1, 31))
    assert result.count == 60


def test_the_cached_bitmaps_are_read_again_after_every_write(django_assert_num_queries):
    from alliances.resources.search import engine

    docs = many_documents(40)
    search.clear()
    search.index_documents(docs)
    before = search.search("emploi")
    token = next(iter(engine._masks.values())).token
    with django_assert_num_queries(2):
        assert search.search("emploi").facets == before.facets
    search.index_documents([Document(docs[0].id, "emploi", "", "", {"kind": ["kit"]})])
    assert next(iter(engine._masks.values())).token == token  # not read yet: stale
    after = search.search("emploi")
    assert after.facets["kind"]["kit"] == 1
    assert (after.count, after.facets) == naive([*search_docs(docs, 0)], "emploi")
    search.remove_documents([docs[0].id])
    assert "kit" not in search.search("emploi").facets.get("kind", {})
    search.clear()
    search.index_documents(docs)
    assert search.search("emploi").facets == before.facets


def search_docs(docs, replaced):
    yield Document(docs[replaced].id, "emploi", "", "", {"kind": ["kit"]})
    yield from (d for i, d in enumerate(docs) if i != replaced)


def test_with_several_words_too_title_hits_come_first_then_the_rest_by_rank():
    search.clear()
    body_only = [
        Document(i, "Un guide", "Pour tous.", "emploi " + "mobilité " * (i % 4 + 1))
        for i in range(1, 13)
    ]
    in_title = [Document(100 + i, f"L'emploi {i}", "", "Sur la mobilité.") for i in range(1, 4)]
    other = [Document(200, "La mobilité", "", "Sans le mot.")]
    search.index_documents(body_only + in_title + other)
    result = search.search("emploi mobilités", limit=100)
    assert result.count == 15
    every = ids(result)
    assert set(every[:3]) == {101, 102, 103}
    assert sorted(every[3:]) == list(range(1, 13))
    rest = [h.score for h in result.hits[3:]]
    assert rest == sorted(rest, reverse=True)
    pages = [ids(search.search("emploi mobilités", limit=4, offset=o)) for o in range(0, 16, 4)]
    assert [i for page in pages for i in page] == every


@pytest.mark.parametrize(
    "query", ["l'emploi", "emplois", "œuvre", "oeuvre", "tiers-lieux", "co-construction", "2026"]
)
def test_the_count_is_the_number_of_documents_a_page_walk_finds(query):
    """Counting reads the stems only, ranking the exact words too: both find the same set."""
    texts = [
        "L'emploi des jeunes", "Des emplois aidés", "La mise en œuvre", "Une oeuvre collective",
        "Les tiers-lieux du territoire", "Un tiers lieu", "La co-construction territoriale",
        "Co-construire", "Bilan 2026", "Emploi, œuvre et tiers-lieux en 2026",
    ]
    search.index_documents(
        Document(id=i, title=t if i % 2 else "Ressource", body="" if i % 2 else t)
        for i, t in enumerate(texts, start=1)
    )
    walked = []
    offset = 0
    while page := search.search(query, limit=2, offset=offset).hits:
        walked += [h.id for h in page]
        offset += 2
    assert len(walked) == len(set(walked)) > 0
    assert search.search(query).count == len(walked)
    assert search.search(query, with_facets=False).count == len(walked)
