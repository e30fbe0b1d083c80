"""`alliances bench search`: the resource centre's French search engine on 100,000
generated documents, next to a plain `LIKE '%…%'` scan of the same data in the same run.

Builds a database of its own (SQLite under var/bench-search/, or with --database-url a
PostgreSQL database of its own that it creates and drops; the user's database is never
opened), indexes the documents through `alliances.resources.search.index_documents` (timed),
then runs queries through `search()` (count, first page of 20 hits with snippets, facet
counts: everything a results page needs), again without the facet counts, and the same
words as a LIKE scan of a plain table holding the same text (count + first 20 ids, every
word required). Prints p50/p95 per kind of query and the ratio to the LIKE scan; writes the
same as JSON. Nothing here asserts a time: the figures are for people.

The corpus (seeded, the same for every system measured in a run):
- a lexicon of 15,000 word families, each with its French inflections (*coopération,
  coopérations*; *territorial, territoriale, territoriaux*): the field's real words, and
  made-up words built from French syllables and suffixes (-ation, -ité, -ement, -if/-ive,
  -al/-aux, -er/-é/-ent …) that stem like French words;
- the families' frequencies follow Zipf's law (Zipf–Mandelbrot: weight 1 / (rank + 10)),
  as in real text: the ten common words of the field (*projet, acteur, territoire, action*
  …) are each in a third to two thirds of the documents, the tail is rare;
- each document has three topics (families drawn by a flatter law, 1 / (rank + 10) ** 0.5,
  among all but the ten common ones) that make its title and recur in its summary and body,
  as a resource about *mécénat* says *mécénat* several times; the rest of its words are
  drawn from the whole lexicon by frequency, a French function word before each: some
  110 to 280 words a document;
- facets as the service makes them (kind, tags from the shared vocabularies, region,
  year), with skewed frequencies.

The queries (seeded): n words (1, 2 or 3) of the title of a document drawn at random,
function words left out, in title order, lower-cased, and one in four typed without
accents: people search for what the centre has, with the words resources are named by.
Most such words are topical and match well under 5% of the documents; the rows print the
mean number of hits and the share of queries matching more than 5%. The "common" row is
the worst case, shown apart: each of the ten common words alone (half the corpus on average).

Each query set runs `--rounds` times (the machine may be shared: the rounds' p95 spread and
the load average are printed with the figures); p50/p95 are over all the rounds' timings.
"""

import argparse
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.journeys import pg_create, pg_drop

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench-search"
PG_BENCH_DB = "alliances_bench_search"
FULL = {"documents": 100_000, "queries": 200, "baseline_queries": 20, "rounds": 3}
SMOKE = {"documents": 2_000, "queries": 30, "baseline_queries": 5, "rounds": 1}
GOALS = {"sqlite": 10.0, "postgresql": 30.0, "index_s": 60.0}
ROWS = ("1 word", "2 words", "3 words", "common")

# -- the lexicon --------------------------------------------------------------------------------

FUNCTION_WORDS = (
    "de la le les des et en du un une pour à dans sur par avec qui que au aux est sont leur "
    "leurs ces cette ce son sa ses entre plus ne pas se ou mais comme"
).split()
# The field's most common words, ranks 0 to 9 of the lexicon: the "common" row's queries.
COMMON = [
    ("projet", "projets"),
    ("acteur", "acteurs"),
    ("territoire", "territoires", "territorial", "territoriale", "territoriaux"),
    ("action", "actions"),
    ("local", "locale", "locaux", "locales"),
    ("public", "publique", "publics", "publiques"),
    ("développement", "développements", "développer"),
    ("accompagnement", "accompagnements", "accompagner"),
    ("structure", "structures"),
    ("commune", "communes", "communal", "communale"),
]
# The field's topical words, spread over ranks 30 to 3,000 of the lexicon.
DOMAIN = [
    ("co-construction", "co-constructions"),
    ("coopération", "coopérations", "coopérer", "coopèrent", "coopératif", "coopérative"),
    ("partenariat", "partenariats", "partenaire", "partenaires"),
    ("association", "associations", "associatif", "associative", "associatives"),
    ("mécénat", "mécénats", "mécène", "mécènes"),
    ("fragilité", "fragilités", "fragile", "fragiles"),
    ("entreprise", "entreprises", "entrepreneur", "entrepreneuriat"),
    ("collectivité", "collectivités", "collectif", "collective"),
    ("innovation", "innovations", "innovant", "innovante", "innover"),
    ("dialogue", "dialogues", "dialoguer"),
    ("expérimentation", "expérimentations", "expérimenter"),
    ("gouvernance", "gouvernances"),
    ("emploi", "emplois", "employeur", "employeurs"),
    ("mobilité", "mobilités"),
    ("alliance", "alliances", "allié", "alliés"),
    ("engagement", "engagements", "engagé", "engagées"),
    ("évaluation", "évaluations", "évaluer"),
    ("catalyseur", "catalyseurs", "catalyse"),
    ("bénévole", "bénévoles", "bénévolat"),
    ("solidarité", "solidarités", "solidaire", "solidaires"),
    ("transition", "transitions"),
    ("écologique", "écologiques", "écologie"),
    ("habitant", "habitants", "habitante", "habitantes"),
    ("jeunesse", "jeunes"),
    ("insertion", "insertions"),
    ("inclusion", "inclusions", "inclusif", "inclusive"),
    ("santé",),
    ("alimentation", "alimentaire", "alimentaires"),
    ("logement", "logements"),
    ("culture", "cultures", "culturel", "culturelle"),
    ("numérique", "numériques"),
    ("financement", "financements", "financer"),
    ("subvention", "subventions"),
    ("méthode", "méthodes", "méthodologie"),
    ("outil", "outils"),
    ("démarche", "démarches"),
    ("réseau", "réseaux"),
    ("quartier", "quartiers"),
    ("ruralité", "rural", "rurale", "ruraux"),
    ("médiation", "médiations", "médiateur", "médiatrice"),
    ("gouvernement", "gouvernements"),
    ("favoriser", "favorise", "favorisent"),
    ("renforcer", "renforce", "renforcement"),
    ("mobiliser", "mobilise", "mobilisation"),
    ("durable", "durables", "durabilité"),
    ("commun", "communs"),
    ("retour", "retours"),
    ("expérience", "expériences"),
]
SYLLABLES = (
    "ba bé ca ci co da dé di fa fé ga gi la lé li lo ma mé mi mo na né ni no pa pé pi po "
    "ra ré ri ro sa sé si so ta té ti to va vé vi bri cla cro dra fla gro pla pro tra tri"
).split()
SUFFIXES = [
    ("ation", "ations"),
    ("ité", "ités"),
    ("ement", "ements"),
    ("age", "ages"),
    ("eur", "eurs", "rice"),
    ("if", "ive", "ifs", "ives"),
    ("al", "ale", "aux"),
    ("er", "e", "ent", "é", "ée"),
    ("ance", "ances"),
    ("ique", "iques"),
    ("isme", "ismes"),
    ("oir", "oirs"),
]
FAMILIES = 15_000
ZIPF_SHIFT = 10  # Zipf–Mandelbrot: weight 1 / (rank + 10)
TOPIC_EXPONENT = 0.5  # topics: flatter than the text's words, among ranks ≥ len(COMMON)

KINDS = {
    "fiche": 30, "methode": 12, "outil": 15, "temoignage": 18, "etude": 10, "video": 6,
    "webinaire": 5, "kit": 4,
}  # fmt: skip
TAGS = [
    f"{family}:{code}"
    for family, codes in {
        "forme": "dialogue_territorial partenariats experimentations",
        "type": "mecenat pratiques_responsables cooperation_economique innovation_societale",
        "metier": "dialogue_territorial experimentations_collectives accompagnements gestion_lieu",
        "fragilite": "emploi sante logement mobilite isolement education alimentation "
        "numerique culture environnement",
        "acteur": "association entreprise collectivite fondation etat citoyen etablissement_public",
    }.items()
    for code in codes.split()
]
REGIONS = "11 84 75 76 32 44 52 53 93 28 24 27 94 01 02 03 04 06".split()


def lexicon(rng: random.Random) -> list[tuple[str, ...]]:
    """The word families by rank: COMMON first, DOMAIN spread log-evenly over ranks 30 to
    3,000, made-up families everywhere else (unique stems, so no two families share one)."""
    made: list[tuple[str, ...]] = []
    stems: set[str] = set()
    while len(made) < FAMILIES - len(COMMON) - len(DOMAIN):
        stem = "".join(rng.choices(SYLLABLES, k=rng.choice((2, 2, 3))))
        if stem in stems:
            continue
        stems.add(stem)
        suffixes = rng.choice(SUFFIXES)
        if stem[-1] in "aeiouéè" and suffixes[0][0] in "aeiouéè":
            stem = stem[:-1]  # cadira + age: cadirage
        made.append(tuple(stem + suffix for suffix in suffixes))
    ranks = {round(30 * 100 ** (i / (len(DOMAIN) - 1))): f for i, f in enumerate(DOMAIN)}
    families: list[tuple[str, ...]] = list(COMMON)
    made_iter = iter(made)
    while len(families) < FAMILIES:
        families.append(ranks.pop(len(families), None) or next(made_iter))
    return families


class Corpus:
    """Draws documents from the lexicon. Words are drawn from pools in which each form is
    repeated in proportion to its frequency: a uniform draw from a list is several times
    faster than a weighted one, and 100,000 documents take ~20 million draws."""

    POOL = 2_000_000

    def __init__(self, rng: random.Random):
        self.rng = rng
        families = lexicon(rng)
        weights = [1 / (rank + ZIPF_SHIFT) for rank in range(len(families))]
        scale = self.POOL / sum(weights)
        self.family_forms: list[tuple[list[str], list[float]]] = []
        self.pool: list[str] = []
        for family, weight in zip(families, weights, strict=True):
            # The first form (the singular, the infinitive) is the most frequent.
            rest = len(family) - 1
            shares = [0.55] + [0.45 / rest] * rest if rest else [1.0]
            self.family_forms.append((list(family), shares))
            for form, share in zip(family, shares, strict=True):
                self.pool += [form] * max(1, round(weight * share * scale))
        self.topics = list(range(len(COMMON), len(families)))
        self.topic_cum = list(
            itertools.accumulate(1 / (rank + ZIPF_SHIFT) ** TOPIC_EXPONENT for rank in self.topics)
        )
        self.function_pool = [
            word for rank, word in enumerate(FUNCTION_WORDS) for _ in range(120 // (rank + 1))
        ]

    def _form(self, family: int) -> str:
        forms, shares = self.family_forms[family]
        return self.rng.choices(forms, shares)[0]

    def _text(self, content: list[str]) -> str:
        """Function words between the content words, a sentence every dozen words."""
        rng = self.rng
        fws = rng.choices(self.function_pool, k=len(content))
        words = [w for pair in zip(fws, content, strict=True) for w in pair]
        sentences = [" ".join(words[i : i + 12]) for i in range(0, len(words), 12)]
        return ". ".join(s[:1].upper() + s[1:] for s in sentences) + "."

    def document(self, doc_id: int):
        from alliances.resources.search import Document

        rng = self.rng
        topics = []
        while len(topics) < 3:
            t = rng.choices(self.topics, cum_weights=self.topic_cum)[0]
            if t not in topics:
                topics.append(t)
        title_words = [self._form(topics[0]), self._form(topics[1])]
        if rng.random() < 0.5:
            title_words.append(self._form(topics[2]))
        if rng.random() < 0.3:
            title_words.insert(rng.randrange(len(title_words) + 1), self.general(1)[0])
        words = title_words[:1]
        for word in title_words[1:]:
            words += [rng.choice(FUNCTION_WORDS[:12]), word]
        title = " ".join(words)
        summary_words = self.general(rng.randint(6, 12)) + [self._form(t) for t in topics]
        body_words = self.general(rng.randint(40, 110))
        for t in topics:
            for _ in range(rng.randint(1, 4)):
                body_words.insert(rng.randrange(len(body_words) + 1), self._form(t))
        rng.shuffle(summary_words)
        tags = rng.sample(TAGS, rng.choice((1, 1, 2, 2, 3, 4)))
        return Document(
            doc_id,
            title[:1].upper() + title[1:],
            self._text(summary_words),
            self._text(body_words),
            {
                "kind": rng.choices(list(KINDS), list(KINDS.values())),
                "tag": tags,
                "territoire": [REGIONS[min(len(REGIONS) - 1, int(rng.expovariate(0.25)))]],
                "annee": [str(2026 - min(16, int(rng.expovariate(0.3))))],
            },
        )

    def general(self, k: int) -> list[str]:
        return self.rng.choices(self.pool, k=k)


def title_queries(titles: list[str], n_words: int, count: int, rng: random.Random) -> list[str]:
    """The stated rule: `n_words` words of a random document's title, function words left
    out, in title order, lower-cased; one query in four typed without accents."""
    from alliances.resources.search import text

    queries: list[str] = []
    while len(queries) < count:
        words = list(
            dict.fromkeys(
                w.lower() for w in text.words(rng.choice(titles)) if w.lower() not in FUNCTION_WORDS
            )
        )
        if len(words) < n_words:
            continue
        picked = sorted(rng.sample(range(len(words)), n_words))
        query = " ".join(words[i] for i in picked)
        queries.append(text.fold(query) if rng.random() < 0.25 else query)
    return queries


def common_queries(count: int) -> list[str]:
    return [COMMON[i % len(COMMON)][0] for i in range(count)]


# -- the command ------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="alliances bench search",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--smoke", action="store_true", help="2,000 documents (CI)")
    parser.add_argument("--documents", type=int)
    parser.add_argument("--queries", type=int, help="queries per row")
    parser.add_argument("--baseline-queries", type=int, help="LIKE scans per row (slow: fewer)")
    parser.add_argument("--rounds", type=int, help="times each query set runs")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server (postgres://user@host:port/any): the bench "
        f"creates and drops its own database {PG_BENCH_DB!r} there",
    )
    args = parser.parse_args(argv)
    size = SMOKE if args.smoke else FULL
    config = {key: getattr(args, key) or size[key] for key in size}
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for stale in BENCH_DIR.glob("search.sqlite3*"):
        stale.unlink()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        ALLIANCES_VAR_DIR=str(BENCH_DIR),
        ALLIANCES_ENV="development",
        DEBUG="0",
        DJANGO_SETTINGS_MODULE="alliances.settings",
        DATABASE_URL=f"sqlite:///{BENCH_DIR / 'search.sqlite3'}",
    )
    database = "sqlite"
    if args.database_url:
        env["DATABASE_URL"] = pg_create(args.database_url, PG_BENCH_DB)
        database = "postgresql"
    started = time.perf_counter()
    print(f"Search bench: {config['documents']:,} documents on {database} …", flush=True)
    try:
        run = subprocess.run(
            [sys.executable, "-m", "bench.search", "run", json.dumps(config)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    finally:
        if args.database_url:
            pg_drop(args.database_url, PG_BENCH_DB)
    if run.returncode:
        print(run.stdout[-4000:], run.stderr[-8000:], sep="\n", file=sys.stderr)
        return run.returncode
    data = json.loads(run.stdout.splitlines()[-1])
    print_table(data, database)
    out = BENCH_DIR / f"search-{database}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    result = {
        "config": {**config, "database": database, "cpus": os.cpu_count()},
        **data,
        "goals": {"p95_ms": GOALS[database], "index_s": GOALS["index_s"]},
    }
    out.write_text(json.dumps(result, indent=2))
    print(f"\nWritten to {out.relative_to(ROOT)} ({time.perf_counter() - started:.0f} s in all)")
    return 0


def print_table(data: dict, database: str) -> None:
    print(
        f"  generated in {data['generate_s']:.1f} s, indexed in {data['index_s']:.1f} s "
        f"({data['documents'] / data['index_s']:,.0f} documents/s; goal ≤ {GOALS['index_s']:.0f} s "
        f"for 100k); load average {data['load_before']} before the queries, "
        f"{data['load_after']} after"
    )
    header = (
        "query",
        "n",
        "mean hits",
        ">5%",
        "p50",
        "p95",
        "(rounds)",
        "no facets",
        "p95",
        "LIKE p50",
        "LIKE p95",
        "ratio",
    )
    print("".join(f"{h:>11}" for h in header))
    for row in data["rows"]:
        spread = f"{min(row['round_p95_ms']):.0f}–{max(row['round_p95_ms']):.0f}"
        print(
            f"{row['query']:>11}{row['queries']:>11}{row['mean_count']:>11,.0f}"
            f"{row['broad_share']:>10.0%} {row['p50_ms']:>8.2f}ms {row['p95_ms']:>8.2f}ms"
            f"{spread:>11} {row['no_facets_p50_ms']:>8.2f}ms {row['no_facets_p95_ms']:>8.2f}ms"
            f" {row['like_p50_ms']:>8.1f}ms {row['like_p95_ms']:>8.1f}ms"
            f"{row['like_p95_ms'] / row['p95_ms']:>10.0f}×"
        )
    if database == "sqlite":
        print(
            "  CPU time of the searches (SQLite runs in process, so this is all their work, "
            "without the waits a loaded machine adds): "
            + "; ".join(
                f"{r['query']} p50 {r['cpu_p50_ms']:.2f} ms, p95 {r['cpu_p95_ms']:.2f} ms"
                for r in data["rows"]
            )
        )
    print(
        f"Goal: p95 ≤ {GOALS[database]:.0f} ms on {database} (the 1–3-word rows; 'common' is "
        "the worst case, shown apart). A search = count, first 20 hits with snippets and "
        "facet counts; 'no facets' = the same without the facet counts; '>5%' = share of the "
        "queries matching more than 5% of the documents; (rounds) = the spread of the rounds' "
        "p95; ratio = LIKE p95 / search p95."
    )


# -- in a child process configured for the bench's database ------------------------------------


def run(config: dict) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from alliances.resources import search

    call_command("migrate", "resources", verbosity=0)
    rng = random.Random(2018)
    t0 = time.perf_counter()
    corpus = Corpus(rng)
    docs = [corpus.document(i) for i in range(1, config["documents"] + 1)]
    generate_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for start in range(0, len(docs), 2000):
        search.index_documents(docs[start : start + 2000])
    index_s = time.perf_counter() - t0
    with connection.cursor() as cursor, transaction.atomic():
        cursor.execute(
            "CREATE TABLE bench_search_plain (id integer PRIMARY KEY, title text, "
            "summary text, body text)"
        )
        cursor.executemany(
            "INSERT INTO bench_search_plain VALUES (%s, %s, %s, %s)",
            [(d.id, d.title, d.summary, d.body) for d in docs],
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    titles = [d.title for d in docs]
    del docs

    query_sets = {
        f"{n} word{'s' if n > 1 else ''}": title_queries(titles, n, config["queries"], rng)
        for n in (1, 2, 3)
    }
    query_sets["common"] = common_queries(max(len(COMMON), config["queries"] // 5))
    for queries in query_sets.values():
        for q in queries[:5]:  # warm the caches
            search.search(q)
    load_before = os.getloadavg()[0]
    times: dict[str, list[list[float]]] = {name: [] for name in query_sets}
    bare: dict[str, list[float]] = {name: [] for name in query_sets}
    counts: dict[str, list[int]] = {}
    cpu: dict[str, list[float]] = {name: [] for name in query_sets}
    for _ in range(config["rounds"]):
        for name, queries in query_sets.items():
            timings, counts[name] = [], []
            for q in queries:
                t, c = time.perf_counter(), time.process_time()
                result = search.search(q)
                timings.append((time.perf_counter() - t) * 1000)
                cpu[name].append((time.process_time() - c) * 1000)
                counts[name].append(result.count)
            times[name].append(timings)
            for q in queries:
                t = time.perf_counter()
                search.search(q, with_facets=False)
                bare[name].append((time.perf_counter() - t) * 1000)
    like = {
        name: like_scan(queries[: config["baseline_queries"]])
        for name, queries in query_sets.items()
    }
    load_after = os.getloadavg()[0]
    rows = []
    for name in query_sets:
        every = [t for timings in times[name] for t in timings]
        rows.append(
            {
                "query": name,
                "queries": len(query_sets[name]),
                "examples": query_sets[name][:5],
                "p50_ms": statistics.median(every),
                "p95_ms": percentile(every, 95),
                # CPU time of this process: all of a search's work on SQLite (in process),
                # without the waits for a CPU that a loaded machine adds to the p95.
                "cpu_p50_ms": statistics.median(cpu[name]),
                "cpu_p95_ms": percentile(cpu[name], 95),
                "max_ms": max(every),
                "round_p95_ms": [percentile(timings, 95) for timings in times[name]],
                "no_facets_p50_ms": statistics.median(bare[name]),
                "no_facets_p95_ms": percentile(bare[name], 95),
                "mean_count": statistics.mean(counts[name]),
                "median_count": statistics.median(counts[name]),
                "broad_share": sum(c > config["documents"] / 20 for c in counts[name])
                / len(counts[name]),
                "like_queries": len(like[name]),
                "like_p50_ms": statistics.median(like[name]),
                "like_p95_ms": percentile(like[name], 95),
            }
        )
    return {
        "documents": config["documents"],
        "generate_s": generate_s,
        "index_s": index_s,
        "load_before": round(load_before, 2),
        "load_after": round(load_after, 2),
        "rows": rows,
    }


def like_scan(queries: list[str]) -> list[float]:
    """The baseline: every word as a LIKE '%word%' over the same text, count + first 20 ids."""
    from django.db import connection

    times = []
    for q in queries:
        words = q.split()
        where = " AND ".join(["(title || ' ' || summary || ' ' || body) LIKE %s"] * len(words))
        params = [f"%{w}%" for w in words]
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM bench_search_plain WHERE {where}", params)  # noqa: S608
            cursor.fetchall()
            cursor.execute(
                f"SELECT id FROM bench_search_plain WHERE {where} ORDER BY id LIMIT 20",  # noqa: S608
                params,
            )
            cursor.fetchall()
        times.append((time.perf_counter() - t) * 1000)
    return times


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


if __name__ == "__main__" and sys.argv[1:2] == ["run"]:
    print(json.dumps(run(json.loads(sys.argv[2]))))
