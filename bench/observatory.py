"""`alliances bench observatory`: the Observatoire's survey engine on 1,000,000 generated
responses, each figure next to a baseline measured in the same run on the same data.

Builds a database of its own (SQLite under var/bench-observatory/, or with --database-url a
PostgreSQL database of its own that it creates and drops; the user's database is never
opened), generates the respondents (seeded; see bench/observatory_data.py), writes them as
the CSV an analyst imports, creates the survey and the wave through the services, then:

1. import: the CSV through the real importer (`imports.responses_import` + `batch_run`) in
   a child process, timed, its peak RSS read from the kernel (VmHWM); baselines: a plain
   `csv.reader` pass over the same file and `pandas.read_csv`, each in a child process too.
   The imported columns are checked against the generated ones.
2. raking on 2 margins (region, commune size) and 3 (and actor type): `lib.stats.raking.rake`
   alone on the wave's columns, and `services.wave_rake` end to end (read the wave's data
   from the database, rake, keep margins and report); baseline: the same sweeps over the
   respondents instead of collapsed cells (plain NumPy IPF, as many sweeps as `rake` took).
3. results through the engine the API uses (`dataset.wave_data` then
   `analysis.question_results`, with standard errors and CIs): q4 (5 options) by region;
   the same filtered (commune size < 1,000, associations); q14 (8 options, multiple) by
   region. Baselines on the same arrays: pandas `groupby` (weighted shares: Σw per
   group × option / Σw per group) and NumPy `bincount` (the same shares, no SEs). The
   engine's shares must equal pandas' to 1e-9, or the bench fails: equal work is compared.
4. the API under 16 connections: the server as `alliances serve` starts it (gunicorn) on the
   bench's database, wrk (or bench/loadgen.py's generator) on
   /api/v1/observatory/waves/{id}/questions/{code}/results: q4 by region, filtered, q14 by
   region (one URL each, which the API's results cache answers after the first time), and
   2,340 distinct selections in rotation (nearly all computed); baseline: /sante/, the
   cheapest JSON answer (one query) of the same server.

The engine and raking rows also give their CPU time (in the notes): on a shared machine
the wall times carry the waits for a CPU, the CPU times do not. The goals are those of
the issue, for 1,000,000 respondents; a smaller run (--smoke) shows them unjudged.

Prints one table (median of the rounds, min–max, baselines, ratios, goals) and the load
average, and writes the same as JSON. Nothing here asserts a time: the figures are for
people (on a shared machine, the load average says how far to trust them).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import loadgen
from bench.journeys import pg_create, pg_drop
from bench.pages import free_port, status_of, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench-observatory"
PG_BENCH_DB = "alliances_bench_observatory"
FULL = {"respondents": 1_000_000, "rounds": 30, "import_rounds": 3, "rake_rounds": 3,
        "duration": 20.0, "connections": 16}
SMOKE = {"respondents": 20_000, "rounds": 5, "import_rounds": 1, "rake_rounds": 1,
         "duration": 1.0, "connections": 16}
GOALS = {
    "import_s": 20.0,  # for 1,000,000 rows
    "import_rss_mb": 1536.0,
    "rake_ms": 20.0,  # the in-memory part
    "crosstab_x_numpy": 2.0,
    "multiple_ms": 30.0,
    "api_p95_ms": 50.0,
}
FILTER = {"taille_commune": ["moins_1000"], "type_acteur": ["association"]}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="alliances bench observatory",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--smoke", action="store_true", help="20,000 respondents, short (CI)")
    parser.add_argument("--respondents", type=int)
    parser.add_argument("--rounds", type=int, help="rounds of each engine and raking figure")
    parser.add_argument("--import-rounds", type=int, help="imports of the file (and baselines)")
    parser.add_argument("--rake-rounds", type=int, help="rounds of services.wave_rake")
    parser.add_argument("--duration", type=float, help="seconds of load per API target")
    parser.add_argument("--connections", type=int, help="concurrent API connections")
    parser.add_argument("--loadgen", choices=["auto", "wrk", "python"], default="auto",
                        help="auto: wrk when installed, else the Python generator")
    parser.add_argument("--json", type=Path, metavar="OUT", help="where to write the figures")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server (postgres://user@host:port/any): the bench "
        f"creates and drops its own database {PG_BENCH_DB!r} there",
    )
    args = parser.parse_args(argv)
    size = SMOKE if args.smoke else FULL
    config = {key: getattr(args, key) or size[key] for key in size}

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for stale in [*BENCH_DIR.glob("observatory.sqlite3*"), BENCH_DIR / "responses.csv"]:
        stale.unlink(missing_ok=True)
    shutil.rmtree(BENCH_DIR / "media", ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        ALLIANCES_VAR_DIR=str(BENCH_DIR),
        ALLIANCES_ENV="development",
        ALLIANCES_BENCH="1",
        DEBUG="0",
        DJANGO_SETTINGS_MODULE="alliances.settings",
        DATABASE_URL=f"sqlite:///{BENCH_DIR / 'observatory.sqlite3'}",
    )
    database = "sqlite"
    started = time.perf_counter()
    load_before = os.getloadavg()
    if args.database_url:
        env["DATABASE_URL"] = pg_create(args.database_url, PG_BENCH_DB)
        database = "postgresql"
    print(f"Observatory bench: {config['respondents']:,} respondents on {database} "
          f"({os.cpu_count()} CPUs, load average {load_before[0]:.2f}) …", flush=True)
    try:
        # The child reports its progress on stderr (shown as it goes), its figures on stdout.
        run = subprocess.run(
            [sys.executable, "-m", "bench.observatory", "run", json.dumps(config)],
            env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )
        if run.returncode:
            print(run.stdout[-4000:], file=sys.stderr)
            return run.returncode
        data = json.loads(run.stdout.splitlines()[-1])
        data["api"] = api_load(env, data["wave_id"], config, tool=args.loadgen)
    finally:
        if args.database_url:
            pg_drop(args.database_url, PG_BENCH_DB)
    load_after = os.getloadavg()
    rows = table_rows(data, config)
    print_table(rows, data)
    print(f"Load average: {load_before[0]:.2f} before, {load_after[0]:.2f} after "
          f"(1 min; {os.cpu_count()} CPUs)")
    out = args.json or BENCH_DIR / f"observatory-{database}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    result = {
        "config": {**config, "database": database, "cpus": os.cpu_count(),
                   "load_average_before": load_before, "load_average_after": load_after},
        "goals": GOALS,
        "rows": rows,
        **data,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    print(f"\nWritten to {shown} ({time.perf_counter() - started:.0f} s in all)")
    return 0


# -- the API under load (in this process: the server and the load generator) ---------------


def api_load(env: dict[str, str], wave_id: int, config: dict, *, tool: str) -> dict:
    results = f"/api/v1/observatory/waves/{wave_id}/questions"
    filters = "&".join(f"filter={k}:{','.join(v)}" for k, v in FILTER.items())
    targets = {
        "baseline": ["/sante/"],
        "q4 by region": [f"{results}/q4/results?by=region"],
        "q4 by region, filtered": [f"{results}/q4/results?by=region&{filters}"],
        "q14 by region": [f"{results}/q14/results?by=region"],
        "distinct selections": distinct_selections(results),
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    print(f"API: gunicorn as `alliances serve` starts it, {config['connections']} connections, "
          f"{config['duration']:.0f} s per target …", file=sys.stderr, flush=True)
    out: dict = {"targets": {name: paths[:3] for name, paths in targets.items()}, "rows": {}}
    with (BENCH_DIR / "server.log").open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "alliances", "serve", "--no-demo", "--no-worker",
             "--port", str(port)],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(base, server)
            # Every worker loads the wave's data once (its per-process cache) and its code:
            # not timed. 16 connections on 2 workers reach both.
            if status_of(base + targets["q4 by region"][0]) == 200:
                load(base, targets["q4 by region"], connections=config["connections"],
                     seconds=min(2.0, config["duration"]), tool=tool)
            for name, paths in targets.items():
                status = status_of(base + paths[0])
                if status != 200:  # an endpoint not written yet is a row, not a crash
                    out["rows"][name] = {"status": status}
                    continue
                out["rows"][name] = {"status": status, "paths": len(paths), **load(
                    base, paths, connections=config["connections"],
                    seconds=config["duration"], tool=tool)}
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    return out


def distinct_selections(results: str) -> list[str]:
    """2,340 different requests (2 questions × 78 pairs of regions × 15 sets of actor types,
    by commune size), in a shuffled order: more than the API's per-process cache of results
    holds, so that nearly every request computes its results."""
    import itertools
    import random

    from bench.observatory_data import ACTORS, REGIONS

    regions = [c for c, _, _ in REGIONS]
    actors = [c for c, _ in ACTORS]
    actor_sets = [",".join(s) for k in range(1, 5) for s in itertools.combinations(actors, k)]
    paths = [
        f"{results}/{q}/results?by=taille_commune&filter=region:{a},{b}&filter=type_acteur:{s}"
        for q in ("q4", "q14") for a, b in itertools.combinations(regions, 2) for s in actor_sets
    ]
    random.Random(2018).shuffle(paths)
    return paths


# wrk: the paths in rotation, each thread from its own place; its p95 printed at the end.
WRK_LUA = """
local paths = {%s}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("offset", threads * 997)
end
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, paths[(offset + n) %% #paths + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def load(base: str, paths: list[str], *, connections: int, seconds: float, tool: str) -> dict:
    """req/s, p50/p95/p99 in ms and errors: wrk with a script that prints its p95 (its
    --latency table stops at 90 and 99), or the Python generator, which has no p95 (the
    p99 stands in for it, an upper bound, and the row says so)."""
    if tool == "wrk" or (tool == "auto" and shutil.which("wrk")):
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_LUA % ", ".join(f'"{p}"' for p in paths))
        try:
            text = subprocess.run(
                # One thread drives 16 connections easily, and leaves the CPUs to the server.
                ["wrk", "-t", "1", "-c", str(connections),
                 "-d", f"{max(1, round(seconds))}s", "--timeout", "10s", "-s", script.name,
                 base],
                capture_output=True, text=True, check=True,
            ).stdout
        finally:
            Path(script.name).unlink()
        match = re.search(r"^BENCH (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", text, re.M)
        if not match:
            raise SystemExit(f"unexpected wrk output:\n{text}")
        requests, duration_us, p50, p95, p99, errors = map(int, match.groups())
        return {"tool": "wrk", "requests": requests, "rps": requests / (duration_us / 1e6),
                "p50_ms": p50 / 1000, "p95_ms": p95 / 1000, "p99_ms": p99 / 1000,
                "errors": errors}
    result = loadgen.run(base, paths, connections=connections, seconds=seconds, tool="python")
    return {"tool": "python (no p95: p99 shown)", "requests": result.requests,
            "rps": result.rps, "p50_ms": result.p50_ms, "p95_ms": result.p99_ms,
            "p99_ms": result.p99_ms, "errors": result.errors}


# -- the table ------------------------------------------------------------------------------


def spread(values: list[float], scale: float = 1.0) -> dict:
    return {"median": statistics.median(values) * scale, "min": min(values) * scale,
            "max": max(values) * scale, "rounds": len(values)}


def table_rows(data: dict, config: dict) -> list[dict]:
    """One row per figure: its median/min/max, its baselines (median) and ratios, its goal."""
    rows: list[dict] = []
    # The goals are for a million respondents: a smaller run shows them, unjudged.
    judged = config["respondents"] >= FULL["respondents"]

    def row(operation, unit, figure, baselines=(), goal="", met=None, note=""):
        rows.append({
            "operation": operation, "unit": unit, **figure,
            "baselines": [{"name": name, "median": b, "ratio": figure["median"] / b if b else None}
                          for name, b in baselines],
            "goal": goal, "met": met if judged else None, "note": note,
        })

    imp = data["import"]
    if imp.get("importer"):
        t = spread(imp["seconds"])
        rss = spread(imp["rss_mb"])
        row("import CSV (responses_import + batch_run)", "s", t,
            [("csv.reader", imp["csv_reader"]["median_s"]),
             ("pandas.read_csv", imp["pandas"]["median_s"])],
            f"≤ {GOALS['import_s']:.0f} s", t["median"] <= GOALS["import_s"])
        row("import peak RSS", "MB", rss,
            [("csv.reader", imp["csv_reader"]["median_rss_mb"]),
             ("pandas.read_csv", imp["pandas"]["median_rss_mb"])],
            f"≤ {GOALS['import_rss_mb']:.0f} MB", rss["max"] <= GOALS["import_rss_mb"])
    else:
        row("import CSV: importer not there", "s", {"median": None},
            [("csv.reader", imp["csv_reader"]["median_s"]),
             ("pandas.read_csv", imp["pandas"]["median_s"])], note=imp["missing"])

    rake = data["rake"]
    for k in ("2", "3"):
        r = rake[k]
        fig = spread(r["rake_ms"])
        row(f"rake, {k} margins (lib.stats.raking.rake)", "ms", fig,
            [("IPF over respondents", statistics.median(r["rows_ms"]))],
            f"≤ {GOALS['rake_ms']:.0f} ms", fig["median"] <= GOALS["rake_ms"],
            f"{r['iterations']} sweeps, {r['cells']} cells; CPU time {r['cpu_ms']['rake']:.1f} "
            f"ms, over respondents {r['cpu_ms']['rows']:.0f} ms")
        row(f"rake, {k} margins (services.wave_rake)", "ms", spread(r["service_ms"]),
            note="reads the wave from the database, rakes, saves margins and report")

    engine = data["engine"]
    row("wave_data: build (cold)", "ms", {"median": engine["build_ms"], "min": engine["build_ms"],
                                           "max": engine["build_ms"], "rounds": 1},
        note="read the batch, unpack the columns, rake: once per process and data_version")
    for op in engine["operations"]:
        fig = spread(op["engine_ms"])
        numpy_ms = statistics.median(op["numpy_ms"])
        c = op["cpu_ms"]
        pandas_ms = statistics.median(op["pandas_ms"])
        if op["kind"] == "multiple":
            goal, met = f"≤ {GOALS['multiple_ms']:.0f} ms", fig["median"] <= GOALS["multiple_ms"]
        else:
            goal = f"≤ {GOALS['crosstab_x_numpy']:.0f}× NumPy"
            met = fig["median"] <= GOALS["crosstab_x_numpy"] * numpy_ms
        row(f"engine: {op['name']}", "ms", fig,
            [("NumPy bincount", numpy_ms), ("pandas groupby", pandas_ms)], goal, met,
            f"shares = pandas within {op['max_share_diff']:.1e}; CPU time {c['engine']:.1f} ms, "
            f"NumPy {c['numpy']:.1f} ms ({c['engine'] / c['numpy']:.2f}×), pandas "
            f"{c['pandas']:.1f} ms")

    api = data["api"]["rows"]
    baseline = api.get("baseline", {}).get("p95_ms")
    for name, r in api.items():
        if name == "baseline":
            if "p95_ms" in r:
                row("API p95: /sante/ (baseline)", "ms", {"median": r["p95_ms"], "rounds": 1},
                    note=f"{r['rps']:.0f} req/s, p50 {r['p50_ms']:.1f} ms, p99 "
                    f"{r['p99_ms']:.1f} ms, {r['errors']} errors ({r['tool']})")
            continue
        if "p95_ms" not in r:
            row(f"API p95: {name}", "ms", {"median": None}, note=f"HTTP {r['status']}")
            continue
        if r["paths"] > 1:
            name = f"{name} ({r['paths']:,}, by size, filtered)"
        row(f"API p95: {name}", "ms", {"median": r["p95_ms"], "rounds": 1},
            [("/sante/ p95", baseline)] if baseline else [],
            f"≤ {GOALS['api_p95_ms']:.0f} ms", r["p95_ms"] <= GOALS["api_p95_ms"],
            f"{r['rps']:.0f} req/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, "
            f"{r['errors']} errors ({r['tool']})")
    return rows


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:,.0f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:,.0f} {unit}"


def print_table(rows: list[dict], data: dict) -> None:
    gen = data["generate"]
    print(f"  {data['respondents']:,} respondents generated in {gen['seconds']:.1f} s, "
          f"CSV of {gen['csv_mb']:.0f} MB; imported columns equal the generated ones: "
          f"{data['import'].get('checked', 'not checked (no importer)')}")
    header = ("operation", "median", "min – max (rounds)",
              "baselines (median, × = ours / theirs)", "goal", "met")
    lines = [header]
    for r in rows:
        minmax = "" if r.get("min") is None or r["rounds"] < 2 else (
            f"{_fmt(r['min'], r['unit'])} – {_fmt(r['max'], r['unit'])} ({r['rounds']})")
        base = "; ".join(
            f"{b['name']} {_fmt(b['median'], r['unit'])}"
            + (f" ({b['ratio']:.2f}×)" if b["ratio"] is not None else "")
            for b in r["baselines"]
        )
        met = "" if r["met"] is None else ("yes" if r["met"] else "NO")
        lines.append((r["operation"], _fmt(r["median"], r["unit"]), minmax, base, r["goal"], met))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    print()
    for n, line in enumerate(lines):
        print("  ".join(cell.ljust(w) if i in (0, 3, 4) else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(line, widths, strict=True))).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    notes = [f"  {r['operation']}: {r['note']}" for r in rows if r["note"]]
    if notes:
        print("\nNotes:")
        print("\n".join(notes))
    print(
        "\nImport: median of the rounds' wall time inside the child (after Django's start), "
        "peak RSS of the whole child process (VmHWM). "
        "Engine: wave_data (cached) + question_results with SEs and CIs, against shares "
        "alone in NumPy and pandas on the same arrays. API: p95 of the requests under load; "
        "a single URL is answered from the API's per-process results cache after its first "
        "request, the distinct selections compute nearly every answer (16 connections on "
        "2 sync workers: a request waits for ~8 others). "
        f"Goals are judged at {FULL['respondents']:,} respondents only."
    )


# -- the child process, configured for the bench's database ---------------------------------


STARTED = time.perf_counter()


def progress(message: str) -> None:
    print(f"  [{time.perf_counter() - STARTED:5.1f} s] {message}", file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    """This process's peak resident set size: VmHWM, the high-water mark of its own address
    space. (getrusage's ru_maxrss, and so `/usr/bin/time`, carries over the parent's peak
    through fork and exec: a child of a big process would report the parent's size.)"""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def child(args: list[str]) -> dict:
    """Run `python -m bench.observatory <args>` in a fresh process; its figures, with its
    peak RSS (`rss_mb`, measured by the child itself at its end)."""
    run = subprocess.run([sys.executable, "-m", "bench.observatory", *args],
                         stdout=subprocess.PIPE, cwd=ROOT, env=os.environ, text=True)
    if run.returncode:
        raise SystemExit(f"bench.observatory {args[0]} failed (status {run.returncode}):\n"
                         f"{run.stdout[-4000:]}")
    return json.loads(run.stdout.splitlines()[-1])


def run(config: dict) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from alliances.accounts.models import User
    from alliances.accounts.services import user_create
    from alliances.observatory import services
    from bench import observatory_data as od

    call_command("migrate", verbosity=0)
    n = config["respondents"]
    t0 = time.perf_counter()
    respondents = od.generate(n)
    csv_path = BENCH_DIR / "responses.csv"
    size = od.write_csv(respondents, csv_path)
    generate_s = time.perf_counter() - t0
    progress(f"{n:,} respondents generated, {size / 1e6:.0f} MB of CSV in {generate_s:.1f} s")

    owner = user_create(email="analyste@bench.example.org", password=None,
                        role=User.Role.ANALYSTE, display_name="Banc d'essai")
    survey = services.survey_create(slug="banc-essai", title="Baromètre (banc d'essai)",
                                    population="associations", owner=owner)

    def new_wave(label: str):
        return services.wave_create(survey=survey, label=label, definition=od.definition(),
                                    created_by=owner, attributes=od.ATTRIBUTES)

    wave = new_wave("2026")
    connection.close()  # the import children write to the database: no lock held here
    imported = import_rounds(config, wave, new_wave, csv_path)
    if imported.get("importer"):
        imported["checked"] = check_import(wave, respondents)
        progress(f"imported columns equal the generated ones: {imported['checked']}")
    else:
        load_directly(wave, respondents, owner)

    csv_path.unlink()  # 70 MB at full size, made again by every run; the wave keeps its copy
    rake = rake_rounds(config, wave)
    engine = engine_rounds(config, wave)
    services.wave_publish(wave=wave, by=owner)  # public: the API answers anonymous requests
    return {
        "respondents": n,
        "wave_id": wave.pk,
        "generate": {"seconds": generate_s, "csv_mb": size / 1e6},
        "import": imported,
        "rake": rake,
        "engine": engine,
    }


# -- 1. import ------------------------------------------------------------------------------


def import_rounds(config: dict, wave, new_wave, csv_path: Path) -> dict:
    from alliances.observatory.models import Wave

    try:
        from alliances.observatory import imports  # noqa: F401
    except ImportError as error:
        missing = f"alliances.observatory.imports cannot be imported ({error})"
        progress(f"import not measured: {missing}")
        baselines = import_baselines(config, csv_path)
        return {"importer": False, "missing": missing, **baselines}
    runs = []
    for r in range(config["import_rounds"]):
        # The first round fills the bench's wave; the others import the same file into a
        # wave of their own, deleted after, so that every round imports into an empty wave.
        target = wave if r == 0 else new_wave(f"import {r + 1}")
        result = child(["import", str(target.pk), str(csv_path)])
        if result["status"] != "terminee" or result["rows_imported"] != config["respondents"]:
            raise SystemExit(f"the import did not finish: {json.dumps(result)[:3000]}")
        progress(f"import round {r + 1}: {result['seconds']:.2f} s, "
                 f"peak RSS {result['rss_mb']:,.0f} MB")
        runs.append(result)
        if target is not wave:
            for batch in target.batches.all():
                batch.source.delete(save=False)
            Wave.objects.filter(pk=target.pk).delete()
    return {
        "importer": True,
        "seconds": [r["seconds"] for r in runs],
        "rss_mb": [r["rss_mb"] for r in runs],
        "rss_after_setup_mb": [r["rss_after_setup_mb"] for r in runs],
        **import_baselines(config, csv_path),
    }


def import_baselines(config: dict, csv_path: Path) -> dict:
    out = {}
    for name in ("csv_reader", "pandas"):
        runs = [child([name, str(csv_path)]) for _ in range(config["import_rounds"])]
        out[name] = {
            "seconds": [r["seconds"] for r in runs],
            "rss_mb": [r["rss_mb"] for r in runs],
            "median_s": statistics.median(r["seconds"] for r in runs),
            "median_rss_mb": statistics.median(r["rss_mb"] for r in runs),
        }
        progress(f"{name}: {out[name]['median_s']:.2f} s, {out[name]['median_rss_mb']:,.0f} MB")
    return out


def import_child(wave_id: int, path: str) -> dict:
    """In its own process: the importer as the CLI runs it (store the file, then run the
    batch synchronously)."""
    import django

    django.setup()
    from django.core.files import File

    from alliances.observatory import imports
    from alliances.observatory.models import Wave
    from bench.observatory_data import WEIGHT_COLUMN

    rss_after_setup = peak_rss_mb()
    wave = Wave.objects.select_related("created_by").get(pk=wave_id)
    t0 = time.perf_counter()
    with open(path, "rb") as handle:
        batch = imports.responses_import(
            wave=wave, file=File(handle, name=Path(path).name), filename=Path(path).name,
            created_by=wave.created_by, weight_column=WEIGHT_COLUMN,
        )
    batch = imports.batch_run(batch_id=batch.pk)
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "status": batch.status,
        "rows_imported": batch.rows_imported,
        "rows_rejected": batch.rows_rejected,
        "errors": batch.errors[:5],
        "rss_after_setup_mb": rss_after_setup,
        "rss_mb": peak_rss_mb(),
    }


def csv_reader_child(path: str) -> dict:
    """Baseline: every row of the file through csv.reader, nothing kept."""
    import csv

    t0 = time.perf_counter()
    rows = 0
    with open(path, encoding="utf-8", newline="") as handle:
        for _row in csv.reader(handle):
            rows += 1
    return {"seconds": time.perf_counter() - t0, "rows": rows - 1, "rss_mb": peak_rss_mb()}


def pandas_child(path: str) -> dict:
    """Baseline: the file into a DataFrame with pandas' C parser, its defaults."""
    import pandas as pd

    t0 = time.perf_counter()
    frame = pd.read_csv(path)
    return {"seconds": time.perf_counter() - t0, "rows": len(frame), "rss_mb": peak_rss_mb()}


def check_import(wave, respondents) -> str:
    """The wave's columns after the import must be the generated arrays, exactly."""
    import numpy as np

    from alliances.observatory import dataset

    data = dataset.build_wave_data(wave)
    cols = data.columns
    problems = [
        name for name, ours, theirs in [
            ("region", cols.single["region"], respondents.region),
            ("taille_commune", cols.single["taille_commune"], respondents.taille_commune),
            ("type_acteur", cols.single["type_acteur"], respondents.type_acteur),
            ("q4", cols.single["q4"], respondents.q4),
            ("q14 chosen", cols.multiple["q14"][0], respondents.q14_chosen),
            ("q14 answered", cols.multiple["q14"][1], respondents.q14_answered),
            ("weights", cols.weights, respondents.weights),
        ]
        if ours is None or not np.array_equal(ours, theirs)
    ]
    if problems:
        raise SystemExit(f"the imported columns differ from the generated ones: {problems}")
    return "yes"


def load_directly(wave, respondents, owner) -> None:
    """Without the importer, the rest of the bench still needs the wave's responses: the
    generated arrays are stored as one batch, as `observatory.testing.make_wave` does.
    Not timed, and the table says the import was not measured."""
    from alliances.observatory import dataset, services
    from alliances.observatory.models import ResponseBatch

    columns = dataset.Columns(
        n=respondents.n,
        single={"region": respondents.region, "taille_commune": respondents.taille_commune,
                "type_acteur": respondents.type_acteur, "q4": respondents.q4},
        multiple={"q14": (respondents.q14_chosen, respondents.q14_answered)},
        weights=respondents.weights,
    )
    ResponseBatch.objects.create(
        wave=wave, status=ResponseBatch.Status.DONE, filename="responses.csv",
        source="observatory/imports/responses.csv", rows_total=respondents.n,
        rows_done=respondents.n, rows_imported=respondents.n,
        data=dataset.pack_columns(columns), created_by=owner,
    )
    services.wave_data_changed(wave)


# -- 2. raking ------------------------------------------------------------------------------


def rake_rounds(config: dict, wave) -> dict:
    import numpy as np

    from alliances.lib.stats.raking import rake
    from alliances.observatory import dataset, services
    from bench import observatory_data as od

    data = dataset.build_wave_data(wave)
    base = data.columns.weights if data.columns.weights is not None else np.ones(data.n)
    out = {}
    for k in (2, 3):
        margins = od.margins(k)
        variables = {name: data.columns.single[name] for name in margins}
        targets = {
            name: np.array([margins[name][code] for code, _ in data.questions[name].options])
            for name in margins
        }
        rake_ms, rows_ms, rake_cpu, rows_cpu = [], [], [], []
        result = rake(variables, targets, base)  # warm-up
        for _ in range(config["rounds"]):
            t0, c0 = time.perf_counter(), time.process_time()
            result = rake(variables, targets, base)
            rake_ms.append((time.perf_counter() - t0) * 1000)
            rake_cpu.append((time.process_time() - c0) * 1000)
            t0, c0 = time.perf_counter(), time.process_time()
            reference = rake_rows(variables, targets, base, result.iterations)
            rows_ms.append((time.perf_counter() - t0) * 1000)
            rows_cpu.append((time.process_time() - c0) * 1000)
        difference = float(np.max(np.abs(reference / result.weights - 1)))
        if difference > 1e-9:
            raise SystemExit(f"raking on {k} margins: the respondent-level sweeps differ from "
                             f"rake() by {difference:.2g} (relative)")
        cells = len(np.unique(np.stack(list(variables.values())), axis=1).T)
        service_ms = []
        for _ in range(config["rake_rounds"]):
            t0 = time.perf_counter()
            services.wave_rake(wave=wave, margins=margins)
            service_ms.append((time.perf_counter() - t0) * 1000)
        out[str(k)] = {"rake_ms": rake_ms, "rows_ms": rows_ms, "service_ms": service_ms,
                       "cpu_ms": {"rake": statistics.median(rake_cpu),
                                  "rows": statistics.median(rows_cpu)},
                       "iterations": result.iterations, "converged": result.converged,
                       "cells": cells, "max_relative_difference": difference}
        progress(f"raking on {k} margins: rake() {statistics.median(rake_ms):.1f} ms, "
                 f"over respondents {statistics.median(rows_ms):.0f} ms, wave_rake "
                 f"{statistics.median(service_ms):.0f} ms ({result.iterations} sweeps)")
    return out


def rake_rows(variables: dict, targets: dict, base, iterations: int):
    """The baseline: raking's sweeps over every respondent (no collapsing into cells),
    as many as `rake` took; its weights are compared with rake's."""
    import numpy as np

    weights = base / base.sum()
    for _ in range(iterations):
        for name, target in targets.items():
            codes = variables[name]
            current = np.bincount(codes, weights=weights, minlength=len(target))
            weights = weights * (target / current)[codes]
    return weights * (len(weights) / weights.sum())


# -- 3. the engine --------------------------------------------------------------------------


def engine_rounds(config: dict, wave) -> dict:
    import numpy as np
    import pandas as pd

    from alliances.observatory import analysis, dataset
    from alliances.observatory.models import Wave

    dataset.clear_cache()
    wave = Wave.objects.get(pk=wave.pk)
    t0 = time.perf_counter()
    data = dataset.wave_data(wave)
    build_ms = (time.perf_counter() - t0) * 1000
    cols = data.columns
    w = data.weights
    region = cols.single["region"]
    size, actor = cols.single["taille_commune"], cols.single["type_acteur"]
    q4 = cols.single["q4"]
    chosen, answered = cols.multiple["q14"]
    n_regions, k4, k14 = len(data.questions["region"].options), 5, chosen.shape[1]
    size_code = data.questions["taille_commune"].option_index[FILTER["taille_commune"][0]]
    actor_code = data.questions["type_acteur"].option_index[FILTER["type_acteur"][0]]
    frame = pd.DataFrame({"region": region, "taille_commune": size, "type_acteur": actor,
                          "q4": q4, "w": w, "answered": answered})
    options = [f"o{j}" for j in range(k14)]
    for j, name in enumerate(options):
        frame[name] = chosen[:, j]

    def pandas_single(domain: bool):
        d = frame
        if domain:
            d = d[(d["taille_commune"] == size_code) & (d["type_acteur"] == actor_code)]
        d = d[d["q4"] >= 0]
        return d.groupby(["region", "q4"])["w"].sum() / d.groupby("region")["w"].sum()

    def pandas_multiple():
        d = frame[frame["answered"]]
        chosen_w = d[options].mul(d["w"], axis=0).groupby(d["region"]).sum()
        return chosen_w.div(d.groupby("region")["w"].sum(), axis=0)

    # The NumPy references: the fastest plain ways found (each measured against a few
    # others on 1M rows): one bincount over region × (option + a slot for "no answer"),
    # a filter as zero weights; for the multiple choice one bincount per option over a
    # contiguous copy of its column.
    def numpy_single(domain: bool):
        cells = region * np.int16(k4 + 1) + q4 + np.int16(1)
        weights = w * ((size == size_code) & (actor == actor_code)) if domain else w
        table = np.bincount(cells, weights=weights, minlength=n_regions * (k4 + 1))
        table = table.reshape(n_regions, k4 + 1)[:, 1:]
        return table / table.sum(1, keepdims=True)

    def numpy_multiple():
        by_option = np.ascontiguousarray(chosen.T)
        totals = np.bincount(region, weights=w * answered, minlength=n_regions)
        return np.stack([np.bincount(region, weights=w * by_option[j], minlength=n_regions)
                         for j in range(k14)], 1) / totals[:, None]

    def as_table(shares) -> np.ndarray:
        if isinstance(shares, pd.Series):
            shares = shares.unstack(fill_value=0.0)
        return shares.reindex(index=range(n_regions), fill_value=0.0).to_numpy()

    operations = [
        ("q4 by region", "single", "q4", {}, lambda: pandas_single(False),
         lambda: numpy_single(False)),
        ("q4 by region, filtered", "single", "q4", FILTER, lambda: pandas_single(True),
         lambda: numpy_single(True)),
        ("q14 by region, with CIs", "multiple", "q14", {}, pandas_multiple, numpy_multiple),
    ]
    out = []
    for name, kind, code, filters, with_pandas, with_numpy in operations:
        def with_engine(code=code, filters=filters):
            return analysis.question_results(dataset.wave_data(wave), code, by=["region"],
                                             filters=filters)

        for f in (with_engine, with_pandas, with_numpy):  # warm-up
            f()
        times: dict[str, list[float]] = {"engine": [], "pandas": [], "numpy": []}
        cpu: dict[str, list[float]] = {"engine": [], "pandas": [], "numpy": []}
        # Interleaved, so that a busy moment of a shared machine falls on all three; the
        # CPU time too, which a loaded machine's waits do not inflate.
        for _ in range(config["rounds"]):
            for label, f in (("engine", with_engine), ("pandas", with_pandas),
                             ("numpy", with_numpy)):
                t0, c0 = time.perf_counter(), time.process_time()
                f()
                times[label].append((time.perf_counter() - t0) * 1000)
                cpu[label].append((time.process_time() - c0) * 1000)
        results = with_engine()
        ours = np.array([[np.nan if o.share is None else o.share for o in g.options]
                         for g in results.groups])
        theirs = as_table(with_pandas())
        reference = with_numpy()
        difference = float(np.nanmax(np.abs(ours - theirs)))
        numpy_difference = float(np.nanmax(np.abs(reference - theirs)))
        if not difference <= 1e-9 or not numpy_difference <= 1e-9:
            raise SystemExit(f"{name}: the engine's shares differ from pandas' by "
                             f"{difference:.2g} (NumPy's by {numpy_difference:.2g})")
        out.append({"name": name, "kind": kind, "engine_ms": times["engine"],
                    "pandas_ms": times["pandas"], "numpy_ms": times["numpy"],
                    "cpu_ms": {label: statistics.median(v) for label, v in cpu.items()},
                    "max_share_diff": difference,
                    "groups": len(results.groups),
                    "base_n": int(sum(g.n for g in results.groups))})
        progress(f"{name}: engine {statistics.median(times['engine']):.1f} ms, NumPy "
                 f"{statistics.median(times['numpy']):.1f} ms, pandas "
                 f"{statistics.median(times['pandas']):.1f} ms")
    return {"build_ms": build_ms, "weight_source": data.weight_source, "operations": out}


if __name__ == "__main__":
    CHILDREN = {
        "run": lambda a: run(json.loads(a[0])),
        "import": lambda a: import_child(int(a[0]), a[1]),
        "csv_reader": lambda a: csv_reader_child(a[0]),
        "pandas": lambda a: pandas_child(a[0]),
    }
    if sys.argv[1:2] and sys.argv[1] in CHILDREN:
        print(json.dumps(CHILDREN[sys.argv[1]](sys.argv[2:])))
