"""`alliances bench faults`: PostgreSQL restarted under load.

Issue 8: "PostgreSQL restarted under load → requests fail fast with a clean error page and
recover by themselves". Builds a small database of its own on PostgreSQL (communes and
actors from bench/pages.py's generator), starts gunicorn in production mode as `alliances
serve` does, and has N threads ask for directory pages without pause. A few seconds in, it
restarts the PostgreSQL cluster that serves 127.0.0.1:5432 (`pg_ctlcluster … restart`,
Debian's tool; needs root), and keeps loading for a while after. Each answer is recorded
with its time: 200, 503 (the clean page: the database did not answer), 500 (would be a
bug), or a socket error. Prints, per second, what came back, and the summary: no 500, no
socket error, the longest 503 answer (fails fast), and how long after the restart the
first 200 came (recovers by itself, no server restart).

The restart stops every PostgreSQL client of the machine: run it alone. Without root or
pg_ctlcluster, it says so and does nothing. Never run by the test suite.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bench.journeys import pg_create, pg_drop
from bench.load import gunicorn_command, production_env
from bench.pages import free_port, server_env, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench-faults"
PG_BENCH_DB = "alliances_bench_faults"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="alliances bench faults", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=8, help="concurrent clients")
    parser.add_argument("--before", type=float, default=4.0, help="seconds before the restart")
    parser.add_argument("--after", type=float, default=12.0, help="seconds after it")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    args = parser.parse_args(argv)

    cluster = pg_cluster_of(5432)
    if cluster is None:
        print("SKIPPED: restarting PostgreSQL needs root and Debian's pg_ctlcluster with a "
              "cluster on port 5432; nothing was done")
        return 0
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    database_url = pg_create(args.database_url, PG_BENCH_DB)
    try:
        env = {**server_env(), "ALLIANCES_VAR_DIR": str(BENCH_DIR), "DATABASE_URL": database_url}
        subprocess.run([sys.executable, "-m", "alliances", "migrate", "--verbosity", "0"],
                       env=env, cwd=ROOT, check=True)
        built = subprocess.run([sys.executable, "-m", "bench.pages", "populate", "500", "3000"],
                               env=env, cwd=ROOT, check=True, capture_output=True, text=True)
        data = json.loads(built.stdout.splitlines()[-1])
        serve_env = production_env(database_url)
        serve_env["ALLIANCES_VAR_DIR"] = str(BENCH_DIR)
        subprocess.run([sys.executable, "-m", "alliances", "collectstatic", "--noinput",
                        "--verbosity", "0"], env=serve_env, cwd=ROOT, check=True)
        paths = [f"/territoires/departement/{code}/?page={page}"
                 for code in data["departements"] for page in (1, 2, 3)]
        paths += [f"/acteurs/{pk}/" for pk in data["cold_actor_pks"][:200]]
        result = restart_under_load(serve_env, paths, cluster, threads=args.threads,
                                    before=args.before, after=args.after)
    finally:
        wait_for_postgresql(args.database_url)
        pg_drop(args.database_url, PG_BENCH_DB)
    print_report(result)
    out = BENCH_DIR / f"faults-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"Written to {out.relative_to(ROOT)}")
    return 0 if result["ok"] else 1


def pg_cluster_of(port: int) -> tuple[str, str] | None:
    if os.geteuid() != 0 or not shutil.which("pg_ctlcluster"):
        return None
    listed = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True)
    for line in listed.stdout.splitlines():
        version, name, cluster_port, status, *_ = line.split()
        if int(cluster_port) == port and status == "online":
            return version, name
    return None


def restart_under_load(env: dict[str, str], paths: list[str], cluster: tuple[str, str], *,
                       threads: int, before: float, after: float) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    answers: list[tuple[float, int | str, float]] = []  # (t, status or error, seconds)
    lock = threading.Lock()
    stop = threading.Event()

    def client(offset: int) -> None:
        n = offset
        while not stop.is_set():
            path = paths[n % len(paths)]
            n += threads
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(base + path, timeout=30) as response:  # noqa: S310
                    response.read()
                    status: int | str = response.status
            except urllib.error.HTTPError as error:
                error.read()
                status = error.code
            except OSError as error:
                status = type(error).__name__
            with lock:
                answers.append((started - t0, status, time.perf_counter() - started))

    with (BENCH_DIR / "server.log").open("w") as log:
        server = subprocess.Popen(gunicorn_command(port, 4), env=env, cwd=ROOT, stdout=log,
                                  stderr=subprocess.STDOUT)
        try:
            wait_until_up(base, server)
            t0 = time.perf_counter()
            workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
            for worker in workers:
                worker.start()
            time.sleep(before)
            restart_at = time.perf_counter() - t0
            subprocess.run(["pg_ctlcluster", *cluster, "restart"], check=True)
            restarted_at = time.perf_counter() - t0
            time.sleep(after)
            stop.set()
            for worker in workers:
                worker.join()
            server_alive = server.poll() is None
        finally:
            server.terminate()
            server.wait(timeout=20)
    statuses = Counter(str(status) for _t, status, _s in answers)
    first_ok_after = next((t for t, status, _s in sorted(answers)
                           if t > restarted_at and status == 200), None)
    slowest_503 = max((s for _t, status, s in answers if status == 503), default=0.0)
    seconds = {}
    for t, status, _s in answers:
        seconds.setdefault(int(t), Counter())[str(status)] += 1
    errors = {k: v for k, v in statuses.items() if k not in {"200", "503"}}
    return {
        "threads": threads, "restart_started_s": round(restart_at, 2),
        "restart_done_s": round(restarted_at, 2), "statuses": dict(statuses),
        "per_second": {str(k): dict(v) for k, v in sorted(seconds.items())},
        "slowest_503_s": round(slowest_503, 3),
        "first_200_after_restart_s": (round(first_ok_after - restarted_at, 3)
                                      if first_ok_after is not None else None),
        "server_alive": server_alive, "load_average": os.getloadavg(),
        "ok": not errors and first_ok_after is not None and server_alive,
    }


def wait_for_postgresql(url: str, timeout: float = 60) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect(url, connect_timeout=3).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def print_report(result: dict) -> None:
    print(f"\nPostgreSQL restarted under load ({result['threads']} clients): restart from "
          f"{result['restart_started_s']} s to {result['restart_done_s']} s")
    print("second  answers")
    for second, counts in result["per_second"].items():
        print(f"{second:>6}  " + ", ".join(f"{k} × {v}" for k, v in sorted(counts.items())))
    print(f"\nIn all: {result['statuses']}")
    print(f"Slowest 503 answer: {result['slowest_503_s'] * 1000:.0f} ms (fails fast); first 200 "
          f"{result['first_200_after_restart_s']} s after the restart ended (recovers by itself; "
          f"the server was {'still' if result['server_alive'] else 'NOT'} running)")
    print("Goal: no 500 and no socket error; 503 pages while the database is away; 200 again "
          f"without restarting anything: {'met' if result['ok'] else 'MISSED'}")
    print(f"Load average: {result['load_average'][0]:.2f}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
