"""`alliances bench rna`: `alliances import-rna` on 2,000,000 generated rows of the RNA
"waldec" file, next to a plain `csv.reader` pass over the same file in the same run.

Builds a database of its own (SQLite under var/bench-rna/, or with --database-url a
PostgreSQL database of its own that it creates and drops; the user's database is never
opened): migrated, with the demo communes (alliances/territories/demo/communes.csv).
Generates the file (seeded, bench/rna_data.py: the published format, ~3 % dissolved or
deleted rows, arrondissement codes, accents, quotes, `;` inside quoted fields), then runs
each measured step as a child process, timed from outside, its peak RSS read by os.wait4
(the kernel's ru_maxrss of that child alone):

1. baseline: `csv.reader` over the file (`;`, quoted), every field touched;
2. `alliances import-rna FILE --quiet` into the empty database (all created);
3. the same command again on the same file (every row found, all unchanged).

The created rows are checked against the generated file (rows minus D/S minus the
arrondissement of a commune the demo database lacks). Goals (issue 7, at 2,000,000
rows): ≤ 90 s and ≤ 500 MB for step 2. Prints a table (wall and CPU seconds: on a shared
machine the wall time carries the waits for a CPU) and the load average, writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.journeys import pg_create, pg_drop

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench-rna"
PG_BENCH_DB = "alliances_bench_rna"
FULL_ROWS = 2_000_000
SMOKE_ROWS = 20_000
GOALS = {"import_s": 90.0, "import_rss_mb": 500.0}
CSV_BASELINE = """
import csv, sys
n = 0
with open(sys.argv[1], encoding="utf-8", newline="") as stream:
    for row in csv.reader(stream, delimiter=";"):
        n += len(row[0]) + len(row[22])
print(n)
"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="alliances bench rna",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--smoke", action="store_true", help=f"{SMOKE_ROWS:,} rows (CI)")
    parser.add_argument("--rows", type=int, help=f"rows of the file (default {FULL_ROWS:,})")
    parser.add_argument("--batch", type=int, default=5000, help="import batch size")
    parser.add_argument("--json", type=Path, metavar="OUT", help="where to write the figures")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server (postgres://user@host:port/any): the bench creates and "
        f"drops its own database {PG_BENCH_DB!r} there",
    )
    args = parser.parse_args(argv)
    rows = args.rows or (SMOKE_ROWS if args.smoke else FULL_ROWS)

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for stale in BENCH_DIR.glob("rna.sqlite3*"):
        stale.unlink()
    shutil.rmtree(BENCH_DIR / "media", ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        ALLIANCES_VAR_DIR=str(BENCH_DIR),
        ALLIANCES_ENV="development",
        ALLIANCES_BENCH="1",
        DEBUG="0",
        DJANGO_SETTINGS_MODULE="alliances.settings",
        DATABASE_URL=f"sqlite:///{BENCH_DIR / 'rna.sqlite3'}",
    )
    database = "sqlite"
    if args.database_url:
        env["DATABASE_URL"] = pg_create(args.database_url, PG_BENCH_DB)
        database = "postgresql"
    load_before = os.getloadavg()
    print(f"RNA bench: {rows:,} rows on {database} ({os.cpu_count()} CPUs, load average "
          f"{load_before[0]:.2f}) …", flush=True)
    path = BENCH_DIR / f"rna-{rows}.csv"
    try:
        from bench.rna_data import write_rna_file

        started = time.perf_counter()
        counts_path = path.with_suffix(".json")
        if path.exists() and counts_path.exists():
            generated = json.loads(counts_path.read_text())
            print(f"file reused: {path} ({path.stat().st_size / 1e6:.0f} MB)", flush=True)
        else:
            generated = write_rna_file(path, rows)
            counts_path.write_text(json.dumps(generated))
            print(f"file generated in {time.perf_counter() - started:.1f} s: "
                  f"{path.stat().st_size / 1e6:.0f} MB", flush=True)
        alliances = [sys.executable, "-m", "alliances"]
        for step in (["migrate", "--verbosity", "0"],
                     ["import-cog", "--communes",
                      str(ROOT / "alliances/territories/demo/communes.csv")]):
            subprocess.run([*alliances, *step], env=env, cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
        baseline = timed([sys.executable, "-c", CSV_BASELINE, str(path)], env)
        print(f"csv.reader: {baseline['seconds']:.1f} s", flush=True)
        command = [*alliances, "import-rna", str(path), "--quiet", "--batch", str(args.batch)]
        first = timed(command, env)
        print(f"import-rna: {first['seconds']:.1f} s, {first['rss_mb']:.0f} MB · "
              f"{first['stdout'].strip()}", flush=True)
        again = timed(command, env)
        print(f"import-rna again: {again['seconds']:.1f} s, {again['rss_mb']:.0f} MB · "
              f"{again['stdout'].strip()}", flush=True)
        expected = generated["rows"] - generated["gone"] - generated["lyon"]
        created = count_rows(env)
    finally:
        if args.database_url:
            pg_drop(args.database_url, PG_BENCH_DB)
    load_after = os.getloadavg()
    table = [
        ("csv.reader (baseline)", baseline, None),
        ("import-rna, empty database", first, GOALS),
        ("import-rna, same file again", again, None),
    ]
    print(f"\n{'step':32} {'seconds':>8} {'CPU s':>7} {'rows/s':>10} {'peak RSS':>9} "
          f"{'× csv':>6}  goal")
    for label, figures, goals in table:
        goal = ""
        if goals and rows == FULL_ROWS:
            ok = figures["seconds"] <= goals["import_s"] and figures["rss_mb"] <= goals[
                "import_rss_mb"]
            goal = (f"≤ {goals['import_s']:.0f} s, ≤ {goals['import_rss_mb']:.0f} MB: "
                    f"{'met' if ok else 'NOT met'}")
        elif goals:
            goal = "(judged at 2,000,000 rows)"
        print(f"{label:32} {figures['seconds']:8.1f} {figures['cpu_s']:7.1f} "
              f"{rows / figures['seconds']:10,.0f} "
              f"{figures['rss_mb']:6.0f} MB {figures['seconds'] / baseline['seconds']:6.1f}"
              f"  {goal}")
    print(f"\nOrganisations created: {created:,} (expected {expected:,}: rows − dissolved/"
          f"deleted − Lyon 3e, not in the demo communes): "
          f"{'OK' if created == expected else 'MISMATCH'}")
    print(f"Load average: {load_before[0]:.2f} before, {load_after[0]:.2f} after "
          f"(1 min; {os.cpu_count()} CPUs)")
    out = args.json or BENCH_DIR / f"rna-{database}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps({
        "rows": rows, "database": database, "cpus": os.cpu_count(),
        "load_average_before": load_before, "load_average_after": load_after,
        "goals": GOALS, "csv_baseline": baseline, "import": first, "import_again": again,
        "created": created, "expected": expected,
    }, indent=2, default=str))
    print(f"Figures written to {out}")
    return 0 if created == expected else 1


def timed(command: list[str], env: dict[str, str]) -> dict:
    """Run a child process; its wall time and its own peak RSS (os.wait4's ru_maxrss)."""
    import tempfile

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode:
        raise SystemExit(f"{' '.join(command[:4])} failed ({process.returncode}):\n"
                         f"{stderr[-4000:]}")
    return {"seconds": seconds, "rss_mb": usage.ru_maxrss / 1024, "stdout": stdout,
            "cpu_s": usage.ru_utime + usage.ru_stime}


def count_rows(env: dict[str, str]) -> int:
    code = ("import django; django.setup(); from alliances.actors.models import Organisation;"
            " print(Organisation.objects.filter(source='rna').count())")
    run = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True,
                         stdout=subprocess.PIPE, text=True)
    return int(run.stdout.strip())


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
