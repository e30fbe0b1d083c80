"""`alliances bench search`: the resource centre's French search engine on 100,000
generated documents, next to a plain `LIKE '%…%'` scan of the same data in the same run.

Builds a database of its own (SQLite under var/bench-search/, or with --database-url a
PostgreSQL database of its own that it creates and drops; the user's database is never
opened), indexes the documents through `alliances.resources.search.index_documents` (timed),
then runs 1–3-word queries through `search()` (count, first page of 20 hits with snippets,
facet counts: everything a results page needs) and the same words as a LIKE scan of a plain
table holding the same text (count + first 20 ids, every word required). Prints p50/p95 and
the ratios; writes the same as JSON. Nothing here asserts a time: the figures are for people.
"""

import argparse
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
FULL = {"documents": 100_000, "queries": 300, "baseline_queries": 60}
SMOKE = {"documents": 2_000, "queries": 60, "baseline_queries": 20}
GOALS = {"sqlite": 10.0, "postgresql": 30.0, "index_s": 60.0}

# The domain's words with their inflections (and a few written without accents, as people type).
VOCABULARY = [
    ("co-construction", "co-constructions", "coconstruction"),
    ("coopération", "coopérations", "cooperation", "coopérer", "coopèrent", "coopératif"),
    ("partenariat", "partenariats", "partenaire", "partenaires"),
    ("association", "associations", "associatif", "associative", "associatives"),
    ("mécénat", "mécénats", "mecenat", "mécène", "mécènes"),
    ("fragilité", "fragilités", "fragilites", "fragile", "fragiles"),
    ("territoire", "territoires", "territorial", "territoriale", "territoriaux"),
    ("entreprise", "entreprises", "entrepreneur", "entrepreneuriat"),
    ("collectivité", "collectivités", "collectivites", "collectif", "collective"),
    ("innovation", "innovations", "innovant", "innovante", "innover"),
    ("dialogue", "dialogues", "dialoguer"),
    ("expérimentation", "expérimentations", "experimentation", "expérimenter"),
    ("gouvernance", "gouvernances", "gouverner"),
    ("emploi", "emplois", "employeur", "employeurs"),
    ("mobilité", "mobilités", "mobilite"),
    ("alliance", "alliances", "allié", "alliés"),
    ("engagement", "engagements", "engagé", "engagées", "s'engager"),
    ("évaluation", "évaluations", "evaluation", "évaluer"),
    ("catalyseur", "catalyseurs", "catalyse"),
    ("bénévole", "bénévoles", "bénévolat", "benevolat"),
    ("solidarité", "solidarités", "solidaire", "solidaires"),
    ("transition", "transitions", "écologique", "écologiques"),
    ("habitant", "habitants", "habitante", "habitantes"),
    ("jeunesse", "jeunes", "insertion", "inclusion"),
    ("santé", "sante", "alimentation", "logement", "culture", "numérique"),
    ("financement", "financements", "financer", "subvention", "subventions"),
    ("méthode", "méthodes", "outil", "outils", "démarche", "démarches"),
    ("réseau", "réseaux", "reseau", "acteur", "acteurs", "actrice"),
]
FILLER = (
    "le la les des du de et en pour avec dans sur une un au aux par entre leurs leur "
    "qui que cette ces son sa ses nous vous ils elles est sont ont favorise renforce "
    "permet accompagne construit mobilise soutient développe durable local locale locaux "
    "commun communs ensemble projet projets action actions public publics acteur rural "
    "urbain quartier ville région national européen année retour expérience"
).split()
KINDS = ["fiche", "methode", "outil", "temoignage", "etude", "video", "webinaire", "kit"]
TAGS = [
    "emploi",
    "mecenat",
    "fragilites",
    "gouvernance",
    "transition",
    "sante",
    "jeunesse",
    "mobilite",
    "numerique",
    "alimentation",
    "logement",
    "culture",
]
TERRITORIES = ["13", "31", "33", "35", "44", "59", "67", "69", "75", "93", "94", "974"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="alliances bench search", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="2,000 documents (CI)")
    parser.add_argument("--documents", type=int)
    parser.add_argument("--queries", type=int)
    parser.add_argument("--baseline-queries", type=int, help="LIKE scans (slow: fewer)")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server (postgres://user@host:port/any): the bench "
        f"creates and drops its own database {PG_BENCH_DB!r} there",
    )
    args = parser.parse_args(argv)
    size = SMOKE if args.smoke else FULL
    config = {
        "documents": args.documents or size["documents"],
        "queries": args.queries or size["queries"],
        "baseline_queries": args.baseline_queries or size["baseline_queries"],
    }
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
        "for 100k)"
    )
    header = (
        "words",
        "queries",
        "engine p50",
        "engine p95",
        "no facets",
        "p95",
        "LIKE p50",
        "LIKE p95",
        "p95 ratio",
    )
    print("  ".join(f"{h:>11}" for h in header))
    for row in data["rows"]:
        like50, like95 = row["like_p50_ms"], row["like_p95_ms"]
        print(
            f"{row['words']:>11}  {row['queries']:>11}  {row['p50_ms']:>9.2f}ms  "
            f"{row['p95_ms']:>9.2f}ms  {row['no_facets_p50_ms']:>9.2f}ms  "
            f"{row['no_facets_p95_ms']:>9.2f}ms  {like50:>9.1f}ms  {like95:>9.1f}ms  "
            f"{like95 / row['p95_ms']:>10.0f}×"
        )
    print(
        f"Goal: engine p95 ≤ {GOALS[database]:.0f} ms on {database}; engine = count, first "
        "20 hits with snippets and facet counts; no facets = the same without the facet "
        "counts; ratio = engine p95 against the LIKE scan's. Mean hits per query: "
        + ", ".join(f"{r['words']} word(s) {r['mean_count']:,.0f}" for r in data["rows"])
    )


# -- in a child process configured for the bench's database ------------------------------------


SYLLABLES = (
    "ba be ca ci co da de di fa fe ga la le li lo ma me mi mo na ne ni no pa pe pi po ra re "
    "ri ro sa se si so ta te ti to va ve vi tion ment age eur ise"
).split()


def generate(n: int, rng: random.Random):
    """Documents whose words follow a long-tailed distribution, like real text: filler words
    in every document, each domain form in a few percent of them, a tail of 5,000 rarer
    words (made of French syllables) that fill the index's vocabulary."""
    from alliances.resources.search import Document

    forms = [form for family in VOCABULARY for form in family]
    weights = [1 / (rank + 1) ** 0.6 for rank in range(len(forms))]
    rng.shuffle(forms)
    tail = list({"".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(6000)})[:5000]
    for i in range(1, n + 1):
        title = " ".join(
            rng.choices(forms, weights, k=rng.randint(2, 3)) + rng.choices(FILLER, k=2)
        )
        summary = " ".join(rng.choices(forms, weights, k=3) + rng.choices(FILLER, k=10))
        words = (
            rng.choices(forms, weights, k=rng.randint(4, 14))
            + rng.choices(FILLER, k=rng.randint(40, 90))
            + rng.choices(tail, k=rng.randint(10, 30))
        )
        rng.shuffle(words)
        yield Document(
            i,
            title.capitalize(),
            summary.capitalize() + ".",
            ". ".join(" ".join(words[j : j + 14]) for j in range(0, len(words), 14)) + ".",
            {
                "kind": [rng.choice(KINDS)],
                "tag": rng.sample(TAGS, rng.randint(1, 3)),
                "territory": [rng.choice(TERRITORIES)],
                "year": [str(rng.randint(2015, 2026))],
            },
        )


def run(config: dict) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from alliances.resources import search

    call_command("migrate", "resources", verbosity=0)
    rng = random.Random(2018)
    t0 = time.perf_counter()
    docs = list(generate(config["documents"], rng))
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
    del docs

    forms = [form for family in VOCABULARY for form in family if " " not in form]
    rows = []
    for n_words in (1, 2, 3):
        queries = [" ".join(rng.sample(forms, n_words)) for _ in range(config["queries"] // 3)]
        for q in queries[:5]:  # warm the caches
            search.search(q)
        times, counts = [], []
        for q in queries:
            t = time.perf_counter()
            result = search.search(q)
            times.append((time.perf_counter() - t) * 1000)
            counts.append(result.count)
        bare = []
        for q in queries:
            t = time.perf_counter()
            search.search(q, with_facets=False)
            bare.append((time.perf_counter() - t) * 1000)
        like_times = []
        for q in queries[: max(1, config["baseline_queries"] // 3)]:
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
            like_times.append((time.perf_counter() - t) * 1000)
        rows.append(
            {
                "words": n_words,
                "queries": len(queries),
                "p50_ms": statistics.median(times),
                "p95_ms": percentile(times, 95),
                "max_ms": max(times),
                "no_facets_p50_ms": statistics.median(bare),
                "no_facets_p95_ms": percentile(bare, 95),
                "mean_count": statistics.mean(counts),
                "like_queries": len(like_times),
                "like_p50_ms": statistics.median(like_times),
                "like_p95_ms": percentile(like_times, 95),
            }
        )
    return {
        "documents": config["documents"],
        "generate_s": generate_s,
        "index_s": index_s,
        "rows": rows,
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


if __name__ == "__main__" and sys.argv[1:2] == ["run"]:
    print(json.dumps(run(json.loads(sys.argv[2]))))
