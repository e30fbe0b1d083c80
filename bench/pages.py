"""`alliances bench pages`: how fast are the pages people open most, next to the cheapest
page Django can serve?

Builds a database of its own under var/bench/ (the user's database is never opened),
starts the server exactly as `alliances serve` does, and loads each page at each number of
connections. Prints req/s, p50, p99 and the ratio to the baseline; writes the same as JSON.
Nothing here asserts a time: the figures are for people to read.
"""

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from bench import loadgen

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
FULL = {"communes": 35_000, "actors": 100_000, "duration": 20.0, "connections": "16,50"}
SMOKE = {"communes": 2_000, "actors": 5_000, "duration": 2.0, "connections": "4"}
GOAL_CONNECTIONS, GOAL_RATIO, GOAL_P99_MS = 50, 1.0, 250.0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="alliances bench pages", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="small and short (CI)")
    parser.add_argument("--duration", type=float, help="seconds per run")
    parser.add_argument("--connections", help="comma-separated, e.g. 16,50")
    parser.add_argument("--communes", type=int)
    parser.add_argument("--actors", type=int)
    parser.add_argument("--loadgen", choices=["auto", "wrk", "python"], default="auto",
                        help="auto: wrk when installed, else the Python generator")
    args = parser.parse_args(argv)
    size = SMOKE if args.smoke else FULL
    communes = args.communes or size["communes"]
    actors = args.actors or size["actors"]
    duration = args.duration or size["duration"]
    levels = [int(n) for n in (args.connections or size["connections"]).split(",")]

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for stale in BENCH_DIR.glob("alliances.sqlite3*"):
        stale.unlink()
    env = server_env()
    load_before = os.getloadavg()  # other work on the machine skews every figure: say so
    started = time.perf_counter()
    print(f"Building {communes:,} communes and {actors:,} actors in {BENCH_DIR} …", flush=True)
    built = subprocess.run(
        [sys.executable, "-m", "bench.pages", "populate", str(communes), str(actors)],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    )
    data = json.loads(built.stdout.splitlines()[-1])
    print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)

    dep = data["departement"]
    targets = {
        "baseline (50 communes)": ["/bench/baseline/"],
        "territory page": [f"/territoires/departement/{dep}/?type=association&page=2"],
        "actor page": [f"/acteurs/{pk}/" for pk in data["actor_pks"]],
        "organisations API": [f"/api/v1/organisations?departement={dep}&limit=50"],
        # The same pages with the page cache out of play (anonymous visitors of pages
        # nobody asked for lately; signed-in people are never served from the cache).
        "territory page, cold": [
            f"/territoires/departement/{code}/?type={kind}&page={page}"
            for page in (1, 2, 3) for kind in COLD_TYPES for code in data["departements"]
        ],
        "actor page, cold": [f"/acteurs/{pk}/" for pk in data["cold_actor_pks"]],
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (BENCH_DIR / "server.log").open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "alliances", "serve", "--no-demo", "--no-worker",
             "--port", str(port)],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(base, server)
            rows = measure(base, targets, levels=levels, duration=duration, smoke=args.smoke,
                           tool=args.loadgen)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()

    print_table(rows, tool=rows[0].get("tool", "?") if rows else "?")
    print(f"Load average before the run: {load_before[0]:.2f} on {os.cpu_count()} CPUs")
    out = BENCH_DIR / f"pages-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    config = {"communes": communes, "actors": actors, "duration_s": duration,
              "connections": levels, "departement": dep, "cpus": os.cpu_count(),
              "load_average_before": load_before, "load_average_after": os.getloadavg(),
              "server": "alliances serve"}
    out.write_text(json.dumps({"config": config, "rows": rows}, indent=2))
    print(f"\nWritten to {out.relative_to(ROOT)} ({time.perf_counter() - started:.0f} s in all)")
    return 0


COLD_TYPES = ["association", "entreprise", "collectivite", "fondation", "enseignement",
              "reseau", "etat", "academique", "catalyseur"]


def server_env() -> dict[str, str]:
    """The user's environment, pointed at the benchmark's own var/ (database, static files)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(ALLIANCES_VAR_DIR=str(BENCH_DIR), ALLIANCES_BENCH="1",
               ALLIANCES_ENV="development", DEBUG="0", DJANGO_SETTINGS_MODULE="alliances.settings")
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base: str, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (status {server.returncode}): see server.log")
        if status_of(base + "/sante/") == 200:
            return
        time.sleep(0.25)
    raise SystemExit(f"the server did not answer within {timeout:.0f} s: see server.log")


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our http://)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def measure(base: str, targets: dict[str, list[str]], *, levels: list[int], duration: float,
            smoke: bool, tool: str) -> list[dict]:
    statuses = {name: status_of(base + paths[0]) for name, paths in targets.items()}
    for name, paths in targets.items():  # let every worker load its templates and code
        if 200 <= statuses[name] < 300:
            loadgen.run(base, paths, connections=levels[0], seconds=0.5 if smoke else 2, tool=tool)
    rows = []
    for connections in levels:
        baseline_rps = None
        for name, paths in targets.items():
            row: dict = {"page": name, "path": paths[0], "connections": connections}
            if not 200 <= statuses[name] < 300:  # a page not written yet is a row, not a crash
                rows.append({**row, "status": statuses[name]})
                continue
            result = loadgen.run(base, paths, connections=connections, seconds=duration, tool=tool)
            baseline_rps = baseline_rps or result.rps
            rows.append({**row, "status": statuses[name], "requests": result.requests,
                         "rps": round(result.rps, 1), "p50_ms": round(result.p50_ms, 1),
                         "p99_ms": round(result.p99_ms, 1), "errors": result.errors,
                         "ratio": round(result.rps / baseline_rps, 2), "tool": result.tool})
    return rows


def print_table(rows: list[dict], *, tool: str) -> None:
    print(f"\nLoad generator: {tool}")
    header = ("page", "conns", "req/s", "p50 ms", "p99 ms", "× baseline", "errors", "goal")
    lines = [header]
    for row in rows:
        if "rps" not in row:
            lines.append((row["page"], str(row["connections"]), f"HTTP {row['status']}",
                          "", "", "", "", ""))
            continue
        goal = ""
        if row["connections"] == GOAL_CONNECTIONS and row["page"].startswith(
            ("territory page", "actor page")
        ):
            met = row["ratio"] >= GOAL_RATIO and row["p99_ms"] <= GOAL_P99_MS
            goal = "met" if met else "missed"
        lines.append((row["page"], str(row["connections"]), f"{row['rps']:.0f}",
                      f"{row['p50_ms']:.1f}", f"{row['p99_ms']:.1f}", f"{row['ratio']:.2f}",
                      str(row["errors"]), goal))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for n, line in enumerate(lines):
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(line, widths, strict=True))))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print(f"Goal at {GOAL_CONNECTIONS} connections: territory and actor pages ≥ "
          f"{GOAL_RATIO:.1f}× the baseline's req/s and p99 ≤ {GOAL_P99_MS:.0f} ms.")


# -- the database, built in a child process configured for var/bench/ -----------------------

COMMUNE_STEMS = [
    "Beaulieu", "Montagne", "Villeneuve", "Fontaine", "Rochefort", "Clairval", "Bellevue",
    "Champagne", "Valmont", "Mirebeau", "Chateauneuf", "Montreuil", "Boisseuil", "Lussac",
    "Roussillon", "Sauveterre", "Malval", "Puymoyen", "Ambérieux", "Écully", "Grandris",
]
COMMUNE_FORMS = ["{}", "Saint-{}", "Le {}", "La {}", "{}-sur-Loire", "{}-les-Bains", "{}-le-Haut"]
TOPICS = ["Solidarité", "Sport", "Culture", "Jeunesse", "Emploi", "Santé", "Environnement",
          "Patrimoine", "Entraide", "Insertion", "Numérique", "Musique", "Théâtre", "Mobilité"]
TYPES = {  # weights close to a real directory: associations first, companies next
    "association": 55, "entreprise": 20, "collectivite": 8, "enseignement": 4, "fondation": 3,
    "etat": 3, "reseau": 3, "academique": 2, "catalyseur": 2,
}
KIND_WORDS = {"association": "Association", "entreprise": "SAS", "collectivite": "Mairie",
              "enseignement": "Collège", "fondation": "Fondation", "etat": "Service",
              "reseau": "Réseau", "academique": "Laboratoire", "catalyseur": "Maison"}


def populate(n_communes: int, n_actors: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from alliances.actors.models import Fragility, Organisation
    from alliances.lib.text import fold
    from alliances.territories.models import Commune, Departement, Region, size_band_of

    call_command("migrate", verbosity=0)
    rng = random.Random(2018)
    with transaction.atomic():
        if not Departement.objects.exists():  # before the regions/départements data lands
            region = Region.objects.create(code="84", name="Auvergne-Rhône-Alpes")
            for code, name in [("01", "Ain"), ("38", "Isère"), ("69", "Rhône"), ("73", "Savoie")]:
                Departement.objects.create(code=code, name=name, region=region)
        if not Fragility.objects.exists():
            for position, word in enumerate(["emploi", "jeunesse", "lien-social", "sante"]):
                Fragility.objects.create(code=word, name=word.capitalize(), position=position)
        deps = list(Departement.objects.values_list("code", "region_id"))
        fragilities = list(Fragility.objects.values_list("code", flat=True))

        communes = []
        next_number = dict.fromkeys((code for code, _ in deps), 0)
        while len(communes) < n_communes:
            for code, _ in deps:  # round robin; 3-character codes (DROM) have 99 places
                if next_number[code] >= 10 ** (5 - len(code)) - 1 or len(communes) >= n_communes:
                    continue
                next_number[code] += 1
                name = rng.choice(COMMUNE_FORMS).format(rng.choice(COMMUNE_STEMS))
                population = int(10 ** rng.uniform(1.5, 5.2))
                communes.append(Commune(
                    code=f"{code}{next_number[code]:0{5 - len(code)}d}", name=name,
                    search_name=fold(name), departement_id=code, population=population,
                    size_band=size_band_of(population),
                ))
        Commune.objects.bulk_create(communes, batch_size=2000)

        region_of = dict(deps)
        kinds, weights = list(TYPES), list(TYPES.values())
        organisations = []
        for n in range(n_actors):
            commune = rng.choice(communes)
            kind = rng.choices(kinds, weights)[0]
            name = f"{KIND_WORDS[kind]} {rng.choice(TOPICS)} de {commune.name} {n}"
            organisations.append(Organisation(
                name=name, search_name=fold(name), type=kind, commune_id=commune.code,
                departement_id=commune.departement_id,
                region_id=region_of[commune.departement_id],
                rna=f"W{n:09d}" if kind == "association" else "",
                description="Organisation synthétique du banc d'essai.",
            ))
        Organisation.objects.bulk_create(organisations, batch_size=1000)

        first = Organisation.objects.order_by("pk").values_list("pk", flat=True).first()
        through = Organisation.fragilities.through
        links = [
            through(organisation_id=first + n, fragility_id=code)
            for n in range(n_actors) if rng.random() < 0.6
            for code in rng.sample(fragilities, rng.randint(1, min(3, len(fragilities))))
        ]
        through.objects.bulk_create(links, batch_size=5000)

    codes = [code for code, _ in deps]
    return {
        "departement": "69" if "69" in codes else codes[0],
        "actor_pks": [first + n * n_actors // 20 for n in range(20)],
        # Thousands of distinct pages: nearly every request misses the page cache.
        "cold_actor_pks": [first + n * n_actors // 5000 for n in range(5000)],
        "departements": codes,
    }


if __name__ == "__main__" and sys.argv[1:2] == ["populate"]:
    print(json.dumps(populate(int(sys.argv[2]), int(sys.argv[3]))))
