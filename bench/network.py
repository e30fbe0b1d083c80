"""`alliances bench network`: the network of actors and alliances, metrics and page.

1. Metrics on 100,000 actors and 1,000,000 alliances (generated, seeded: see
   bench/network_data.py): expanding the alliances into links (a clique per alliance),
   then alliances.lib.network.network_metrics — building the igraph graph, degrees,
   betweenness estimated from k sources, components, isolated actors, density per pair
   of actor types. Goal ≤ 30 s. Baseline in the same run: networkx doing the same on a
   1/20 subsample (generated the same way), with `betweenness_centrality(k=...)` and the
   same k, next to igraph on that identical subsample; networkx's full-size time is
   extrapolated linearly in the number of links (sampled betweenness costs k × m), and
   the igraph/networkx ratios printed.
2. A territory's network page with 5,000 actors and 15,000 alliances in a database of
   its own (SQLite under var/bench-network/, or a PostgreSQL database it creates and
   drops with --database-url): server time (Django's test client in the process: every
   middleware, no socket) of the page and of its JSON, cold (just after a write
   elsewhere, which moves the page generation), changed (just after a partner of one of
   the territory's alliances is replaced: the metrics and layout computed again) and
   warm, and the
   payload of each; the same for the map (page and JSON) and the "qui travaille avec
   qui ?" matrix. Goal ≤ 300 ms and ≤ 1 MB. Baseline: the same territory's actors
   directory page (/territoires/…/) and /sante/, measured the same way in the same run.

`--smoke`: 2,000 actors / 10,000 alliances and a 500-actor page, for CI (< 60 s).
Prints the figures and the load average, writes them as JSON; asserts no time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench-network"
PG_BENCH_DB = "alliances_bench_network"
FULL = {"actors": 100_000, "alliances": 1_000_000, "sources": 100, "subsample": 20,
        "page_actors": 5_000, "page_alliances": 15_000, "rounds": 5}
SMOKE = {"actors": 2_000, "alliances": 10_000, "sources": 100, "subsample": 20,
         "page_actors": 500, "page_alliances": 1_500, "rounds": 3}
GOALS = {"metrics_s": 30.0, "page_ms": 300.0, "payload_bytes": 1_000_000}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="alliances bench network", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--smoke", action="store_true", help="small (CI)")
    parser.add_argument("--actors", type=int)
    parser.add_argument("--alliances", type=int)
    parser.add_argument("--sources", type=int, help="k: sources of the sampled betweenness")
    parser.add_argument("--subsample", type=int, help="networkx runs on 1/N of the size")
    parser.add_argument("--page-actors", type=int)
    parser.add_argument("--page-alliances", type=int)
    parser.add_argument("--rounds", type=int, help="rounds of each page figure")
    parser.add_argument("--skip-metrics", action="store_true")
    parser.add_argument("--skip-page", action="store_true")
    parser.add_argument("--json", type=Path, metavar="OUT", help="where to write the figures")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server (postgres://user@host:port/any): the page part "
        f"creates and drops its own database {PG_BENCH_DB!r} there",
    )
    args = parser.parse_args(argv)
    size = SMOKE if args.smoke else FULL
    config = {key: getattr(args, key) or size[key] for key in size}
    started = time.perf_counter()
    load_before = os.getloadavg()
    print(f"Network bench ({os.cpu_count()} CPUs, load average {load_before[0]:.2f})",
          flush=True)
    result: dict = {"config": config, "load_average_before": load_before}
    if not args.skip_metrics:
        result["metrics"] = metrics_part(config)
        print_metrics(result["metrics"])
    if not args.skip_page:
        result["page"] = page_part(config, args.database_url)
        if result["page"]:
            print_page(result["page"])
    result["load_average_after"] = os.getloadavg()
    print(f"\nLoad average: {load_before[0]:.2f} before, {result['load_average_after'][0]:.2f} "
          f"after, on {os.cpu_count()} CPUs ({time.perf_counter() - started:.0f} s in all)")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    out = args.json or BENCH_DIR / f"network-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(result, indent=2, default=float))
    print(f"Written to {out}")
    return 0 if result.get("page", True) is not None else 1


# -- 1. metrics -------------------------------------------------------------------------------

def igraph_metrics(net, sources: int) -> dict:
    from alliances.lib.network import clique_edges, network_metrics

    c0, t0 = time.process_time(), time.perf_counter()
    src, dst, _, _ = clique_edges(net.partner_alliance, net.partner_actor)
    t1 = time.perf_counter()
    metrics = network_metrics(net.actor_ids, net.actor_types, net.actor_ids[src],
                              net.actor_ids[dst], sources=sources, n_types=9)
    t2, c2 = time.perf_counter(), time.process_time()
    return {
        "expand_s": t1 - t0, "metrics_s": t2 - t1, "total_s": t2 - t0, "cpu_s": c2 - c0,
        "links": metrics.n_edges, "exact": metrics.betweenness_exact,
        "components": int((metrics.component_sizes > 1).sum()),
        "largest": int(metrics.component_sizes[0]) if metrics.n_components else 0,
        "isolated": len(metrics.isolated), "degree_sum": int(metrics.degree.sum()),
        "top_bridges": metrics.top_bridges(10).tolist(),
    }


def networkx_metrics(net, sources: int) -> dict:
    """The same work with networkx: links from the cliques, degree, sampled betweenness
    (same k, seeded), components, isolated actors, density per pair of types."""
    import itertools

    import networkx as nx

    c0, t0 = time.process_time(), time.perf_counter()
    graph = nx.Graph()
    graph.add_nodes_from(range(net.n_actors))
    order = np.argsort(net.partner_alliance, kind="stable")
    groups = np.split(net.partner_actor[order],
                      np.flatnonzero(np.diff(net.partner_alliance[order])) + 1)
    for members in groups:
        graph.add_edges_from(itertools.combinations(members.tolist(), 2))
    t1 = time.perf_counter()
    degree = dict(graph.degree())
    k = min(sources, net.n_actors)
    betweenness = nx.betweenness_centrality(graph, k=k, normalized=False, seed=2018)
    t2 = time.perf_counter()
    components = [len(c) for c in nx.connected_components(graph)]
    isolated = list(nx.isolates(graph))
    types = net.actor_types.tolist()
    pairs: dict[tuple[int, int], int] = {}
    for u, v in graph.edges():
        key = (min(types[u], types[v]), max(types[u], types[v]))
        pairs[key] = pairs.get(key, 0) + 1
    t3, c3 = time.perf_counter(), time.process_time()
    return {
        "build_s": t1 - t0, "betweenness_s": t2 - t1, "total_s": t3 - t0, "cpu_s": c3 - c0,
        "links": graph.number_of_edges(), "degree_sum": sum(degree.values()),
        "components": sum(1 for c in components if c > 1), "isolated": len(isolated),
        "top_bridges": sorted(betweenness, key=betweenness.get, reverse=True)[:10],
    }


def metrics_part(config: dict) -> dict:
    from bench.network_data import generate

    n, m, k, sub = config["actors"], config["alliances"], config["sources"], config["subsample"]
    print(f"\n1. Metrics: generating {n:,} actors and {m:,} alliances …", flush=True)
    t = time.perf_counter()
    net = generate(n, m)
    print(f"   generated in {time.perf_counter() - t:.1f} s "
          f"({len(net.partner_actor):,} partner rows)", flush=True)
    full = igraph_metrics(net, k)
    print(f"   igraph, full size: {full['total_s']:.1f} s", flush=True)
    small = generate(n // sub, m // sub, seed=2019)
    igraph_small = igraph_metrics(small, k)
    print(f"   igraph, 1/{sub}: {igraph_small['total_s']:.2f} s; networkx, 1/{sub} …",
          flush=True)
    nx_small = networkx_metrics(small, k)
    for key in ("links", "degree_sum", "components", "isolated"):
        if nx_small[key] != igraph_small[key]:  # equal work, or the comparison is void
            raise SystemExit(f"igraph and networkx disagree on {key}: "
                             f"{igraph_small[key]} ≠ {nx_small[key]}")
    extrapolated = nx_small["total_s"] * full["links"] / max(1, nx_small["links"])
    return {
        "actors": n, "alliances": m, "sources": k, "subsample": sub,
        "partner_rows": len(net.partner_actor),
        "igraph_full": full, "igraph_small": igraph_small, "networkx_small": nx_small,
        "networkx_full_extrapolated_s": extrapolated,
        "ratio_small": nx_small["total_s"] / igraph_small["total_s"],
        "ratio_small_cpu": nx_small["cpu_s"] / igraph_small["cpu_s"],
        "ratio_full_extrapolated": extrapolated / full["total_s"],
    }


def print_metrics(r: dict) -> None:
    full, small, nxs = r["igraph_full"], r["igraph_small"], r["networkx_small"]
    goal = "met" if full["total_s"] <= GOALS["metrics_s"] else "missed"
    print(f"\nMetrics ({r['actors']:,} actors, {r['alliances']:,} alliances, "
          f"{full['links']:,} links; betweenness from k = {r['sources']} sources)")
    rows = [
        ("igraph, full size", f"{full['total_s']:.2f} s",
         f"links {full['expand_s']:.2f} s + metrics {full['metrics_s']:.2f} s",
         f"goal ≤ {GOALS['metrics_s']:.0f} s: {goal}"),
        (f"igraph, 1/{r['subsample']}", f"{small['total_s']:.3f} s",
         f"{small['links']:,} links", ""),
        (f"networkx, 1/{r['subsample']}", f"{nxs['total_s']:.2f} s",
         f"build {nxs['build_s']:.2f} s, betweenness {nxs['betweenness_s']:.2f} s",
         f"{r['ratio_small']:.0f}× igraph"),
        ("networkx, full (extrapolated)", f"{r['networkx_full_extrapolated_s']:.0f} s",
         "× links", f"{r['ratio_full_extrapolated']:.0f}× igraph"),
    ]
    table(("", "time", "detail", "ratio / goal"), rows)
    print(f"CPU time (the wall times above carry the waits for a CPU on a shared machine): "
          f"igraph full {full['cpu_s']:.1f} s, "
          f"igraph 1/{r['subsample']} {small['cpu_s']:.2f} s, "
          f"networkx 1/{r['subsample']} {nxs['cpu_s']:.1f} s "
          f"({r['ratio_small_cpu']:.0f}× igraph).")
    print(f"Components of 2+ actors: {full['components']:,}, the largest "
          f"{full['largest']:,} actors; isolated actors: {full['isolated']:,}.")


# -- 2. the page ------------------------------------------------------------------------------

def page_part(config: dict, database_url: str | None) -> dict | None:
    from bench.journeys import pg_create, pg_drop

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for stale in BENCH_DIR.glob("network.sqlite3*"):
        stale.unlink()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(ALLIANCES_VAR_DIR=str(BENCH_DIR), ALLIANCES_ENV="development",
               ALLIANCES_BENCH="1", DEBUG="0", DJANGO_SETTINGS_MODULE="alliances.settings",
               DATABASE_URL=f"sqlite:///{BENCH_DIR / 'network.sqlite3'}")
    database = "sqlite"
    if database_url:
        env["DATABASE_URL"] = pg_create(database_url, PG_BENCH_DB)
        database = "postgresql"
    print(f"\n2. Page: {config['page_actors']:,} actors and {config['page_alliances']:,} "
          f"alliances on {database} …", flush=True)
    try:
        run = subprocess.run(
            [sys.executable, "-m", "bench.network", "page", json.dumps(config)],
            env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )
    finally:
        if database_url:
            pg_drop(database_url, PG_BENCH_DB)
    if run.returncode:
        print(run.stdout[-4000:], file=sys.stderr)
        return None
    result = json.loads(run.stdout.splitlines()[-1])
    result["database"] = database
    return result


def populate(n_actors: int, n_alliances: int) -> str:
    """The territory's actors and alliances, written in bulk (the services would take
    minutes here; the tests use them). Returns the département's code."""
    import datetime

    from django.core.management import call_command
    from django.db import connection, transaction

    from alliances.actors.models import Fragility, Organisation
    from alliances.core.pagecache import pages_changed
    from alliances.lib.text import fold
    from alliances.partnerships.models import Alliance, Partner
    from alliances.territories.models import Commune, Departement, Region, size_band_of
    from bench.network_data import ALLIANCE_TYPES, TYPE_WEIGHTS, generate

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        if not Departement.objects.filter(code="69").exists():
            region, _ = Region.objects.get_or_create(
                code="84", defaults={"name": "Auvergne-Rhône-Alpes"})
            Departement.objects.create(code="69", name="Rhône", region=region)
        dep = Departement.objects.get(code="69")
        fragilities = list(Fragility.objects.values_list("code", flat=True))
        if not fragilities:
            for position, word in enumerate(["emploi", "jeunesse", "lien-social", "sante"]):
                Fragility.objects.create(code=word, name=word.capitalize(), position=position)
            fragilities = list(Fragility.objects.values_list("code", flat=True))
        # Forty communes, with centres on a grid around Lyon (for the map).
        communes = [
            Commune(code=f"69{900 + i:03d}", name=f"Commune {i}", search_name=f"commune {i}",
                    departement=dep, population=5000, size_band=size_band_of(5000),
                    latitude=45.5 + 0.06 * (i // 8), longitude=4.5 + 0.08 * (i % 8))
            for i in range(40)
        ]
        Commune.objects.bulk_create(communes)
        net = generate(n_actors, n_alliances, n_fragilities=len(fragilities))
        types = list(TYPE_WEIGHTS)
        rng = np.random.default_rng(7)
        private = rng.random(n_actors) < 0.05
        orgs = []
        for i in range(n_actors):
            kind = types[net.actor_types[i]]
            name = f"{kind.capitalize()} {i} de {communes[i % 40].name}"
            orgs.append(Organisation(
                name=name, search_name=fold(name), type=kind, commune_id=communes[i % 40].code,
                departement_id="69", region_id=dep.region_id, is_public=not private[i]))
        created = Organisation.objects.bulk_create(orgs, batch_size=1000)
        org_pks = np.array([o.pk for o in created])
        start = datetime.date(2023, 1, 1)
        public = rng.random(n_alliances) < 0.9
        alliances = Alliance.objects.bulk_create([
            Alliance(title=f"Alliance {a} pour le territoire", type=ALLIANCE_TYPES[t],
                     form="partenariat", departement_id="69", region_id=dep.region_id,
                     start_date=start, status="active", is_public=bool(public[a]))
            for a, t in enumerate(net.alliance_types.tolist())
        ], batch_size=1000)
        alliance_pks = np.array([a.pk for a in alliances])
        Partner.objects.bulk_create([
            Partner(alliance_id=int(alliance_pks[a]), organisation_id=int(org_pks[o]))
            for a, o in zip(net.partner_alliance.tolist(), net.partner_actor.tolist(),
                            strict=True)
        ], batch_size=2000)
        through = Alliance.fragilities.through
        through.objects.bulk_create([
            through(alliance_id=int(alliance_pks[a]), fragility_id=fragilities[f])
            for a, codes in enumerate(net.alliance_fragilities) for f in codes
        ], batch_size=2000)
        pages_changed()
    if connection.vendor == "postgresql":
        # The statistics autovacuum gathers on a live database, after the bulk load
        # (without them the planner expects 176 partner rows for the territory, not 38,000).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return "69"


def measure_page(config: dict) -> dict:
    import django

    django.setup()
    from django.db import transaction
    from django.test import Client

    from alliances.core.pagecache import pages_changed

    t = time.perf_counter()
    dep = populate(config["page_actors"], config["page_alliances"])
    print(f"   built in {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
    client = Client(HTTP_HOST="127.0.0.1")
    targets = {
        "network page": f"/alliances/reseau/departement/{dep}/",
        "network JSON": f"/alliances/reseau/departement/{dep}/donnees.json",
        "map page": f"/alliances/carte/departement/{dep}/",
        "map JSON": f"/alliances/carte/departement/{dep}/donnees.json",
        "who-works-with-whom matrix": f"/alliances/qui-avec-qui/departement/{dep}/",
        "baseline: actors of the territory": f"/territoires/departement/{dep}/",
        "baseline: /sante/": "/sante/",
    }
    for path in targets.values():  # imports, templates, connections: not the figures
        pages_changed()
        assert client.get(path).status_code == 200, path

    # Two kinds of cold request. "cold": after a write elsewhere (it moves the page
    # generation, so the rows are read again; the metrics and the layout, cached under
    # the rows' digest, are found). "changed": after a change to this territory's
    # network (a partner of one of its alliances replaced by another of its actors, so
    # the links change): everything is computed again.
    from alliances.actors.models import Organisation
    from alliances.partnerships.models import Partner

    partner_ids = list(Partner.objects.filter(organisation__departement_id=dep,
                                              alliance__is_public=True)
                       .order_by("pk").values_list("pk", flat=True)[:200])
    org_ids = list(Organisation.objects.filter(departement_id=dep, is_public=True)
                   .order_by("pk").values_list("pk", flat=True))

    def change(round_: int) -> None:
        partner = Partner.objects.get(pk=partner_ids[round_ % len(partner_ids)])
        taken = set(Partner.objects.filter(alliance_id=partner.alliance_id)
                    .values_list("organisation_id", flat=True))
        start = (round_ * 7919) % len(org_ids)
        newcomer = next(o for o in org_ids[start:] + org_ids[:start] if o not in taken)
        Partner.objects.filter(pk=partner.pk).update(organisation_id=newcomer)

    rows = {}
    for name, path in targets.items():
        cold, changed, warm, size, zipped = [], [], [], 0, 0
        for round_ in range(config["rounds"]):
            with transaction.atomic():
                pages_changed()  # as any write does: every cache keyed on it goes stale
            t0 = time.perf_counter()
            response = client.get(path)
            cold.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            client.get(path)
            warm.append((time.perf_counter() - t0) * 1000)
            with transaction.atomic():
                change(round_)
                pages_changed()
            t0 = time.perf_counter()
            client.get(path)
            changed.append((time.perf_counter() - t0) * 1000)
            size, zipped = len(response.content), len(gzip.compress(response.content))
        rows[name] = {"path": path, "cold_ms": statistics.median(cold),
                      "cold_max_ms": max(cold), "changed_ms": statistics.median(changed),
                      "changed_max_ms": max(changed), "warm_ms": statistics.median(warm),
                      "bytes": size, "gzip_bytes": zipped}
    data = json.loads(client.get(targets["network JSON"]).content)
    return {"rows": rows, "drawn_nodes": len(data["nodes"]["id"]),
            "alliances_in_json": len(data["alliances"]["id"]), "layout": data["layout"],
            "actors": config["page_actors"], "alliances": config["page_alliances"]}


def print_page(r: dict) -> None:
    print(f"\nPage ({r['actors']:,} actors, {r['alliances']:,} alliances, {r['database']}; "
          f"{r['drawn_nodes']:,} actors drawn, {r['alliances_in_json']:,} alliances in the "
          f"JSON, layout {r['layout']}): median of the rounds")
    rows = []
    for name, row in r["rows"].items():
        goal = ""
        if not name.startswith("baseline"):
            worst = max(row["cold_ms"], row["changed_ms"])
            met = worst <= GOALS["page_ms"] and row["bytes"] <= GOALS["payload_bytes"]
            goal = "met" if met else "missed"
        rows.append((name, f"{row['cold_ms']:.0f}", f"{row['cold_max_ms']:.0f}",
                     f"{row['changed_ms']:.0f}", f"{row['changed_max_ms']:.0f}",
                     f"{row['warm_ms']:.1f}", f"{row['bytes'] / 1000:.0f}",
                     f"{row['gzip_bytes'] / 1000:.0f}", goal))
    table(("", "cold ms", "max", "changed ms", "max", "warm ms", "kB", "kB gzip", "goal"),
          rows)
    print("cold: after a write elsewhere (the rows read again, the metrics and layout found "
          "by the rows' digest); changed: after a change to this network (all computed).")
    print(f"Goal: the network page and JSON ≤ {GOALS['page_ms']:.0f} ms (both medians) and "
          f"≤ {GOALS['payload_bytes'] / 1e6:.0f} MB; the map and the matrix held to the same.")


def table(header: tuple, rows: list[tuple]) -> None:
    lines = [header, *rows]
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    for n, line in enumerate(lines):
        print("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                        for i, (c, w) in enumerate(zip(line, widths, strict=True))))
        if n == 0:
            print("  ".join("-" * w for w in widths))


if __name__ == "__main__" and sys.argv[1:2] == ["page"]:
    print(json.dumps(measure_page(json.loads(sys.argv[2]))))
