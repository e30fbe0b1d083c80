"""`alliances bench load`: the platform under load, as deployed: production settings,
gunicorn sync workers, PostgreSQL, realistic data; the issue's goal at 50 connections is
zero errors and a p99 of 500 ms or less on every page and on a mix of them.

Creates and drops a PostgreSQL database of its own (`alliances_bench_load` on the server of
--database-url; the user's database is never opened), fills it with the other benchmarks'
generators (bench/load_data.py: communes and actors, cohorts with participants and
sessions, a published observatory wave, resources for the search), starts the server as
`alliances serve --no-demo --no-worker` does (collectstatic, then gunicorn's sync workers)
with ALLIANCES_ENV=production on 127.0.0.1 over plain HTTP, signs a participant in through
the real login form, compares worker counts on a short run of the mix when given several
(keeps the best), then loads each page alone (its paths in rotation) and a mix of all of
them, next to the cheapest page Django serves (the bench baseline page) measured in the
same run. Prints requests, req/s, p50, p99, errors (non-2xx answers, redirects included;
socket errors; timeouts) and each page's SQL queries; writes the same as JSON under
var/bench-load/. Nothing here asserts a time: the figures are for people to read (on a
shared machine, the load average printed with them says how far to trust them).
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from bench import loadgen
from bench.journeys import pg_create, pg_drop
from bench.pages import free_port, server_env, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench-load"
PG_BENCH_DB = "alliances_bench_load"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"
FULL = {"communes": 35_000, "actors": 50_000, "cohorts": 200, "participants": 30,
        "sessions": 40, "respondents": 10_000, "resources": 3_000,
        "duration": 60.0, "connections": 50, "warmup": 3.0}
SMOKE = {"communes": 1_000, "actors": 2_000, "cohorts": 5, "participants": 6,
         "sessions": 8, "respondents": 2_000, "resources": 300,
         "duration": 1.0, "connections": 8, "warmup": 0}
GOAL_CONNECTIONS, GOAL_P99_MS = 50, 500.0
TRIAL_SECONDS = 15.0  # the mix at each worker count, when several are compared
BASELINE = "baseline (bench page)"
# The mix: how often each page is asked for, out of 100 requests (a guess at real traffic:
# visitors browse territories and search; members open their cohort; analysts the dashboard).
MIX = {"home": 15, "territory page": 30, "search": 15, "cohort space (signed in)": 15,
       "observatory dashboard": 10, "observatory API": 15}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="alliances bench load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny data, short runs (CI)")
    parser.add_argument("--duration", type=float, help="seconds of load per page and the mix")
    parser.add_argument("--connections", type=int, help="concurrent connections")
    parser.add_argument("--workers", help="gunicorn sync workers; several (e.g. 4,5): a "
                        f"{TRIAL_SECONDS:.0f} s run of the mix at each, the best kept "
                        "(default: 2 × CPUs and 2 × CPUs + 1; --smoke: 2 × CPUs + 1)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help="a PostgreSQL server: the bench creates and drops its own "
                        f"database {PG_BENCH_DB!r} there")
    parser.add_argument("--loadgen", choices=["auto", "wrk", "python"], default="auto",
                        help="auto: wrk when installed, else the Python generator")
    args = parser.parse_args(argv)
    size = SMOKE if args.smoke else FULL
    duration = args.duration or size["duration"]
    connections = args.connections or size["connections"]
    cpus = os.cpu_count() or 1
    default_workers = f"{2 * cpus + 1}" if args.smoke else f"{2 * cpus},{2 * cpus + 1}"
    workers = [int(n) for n in (args.workers or default_workers).split(",")]
    shape = {key: size[key] for key in ("communes", "actors", "cohorts", "participants",
                                        "sessions", "respondents", "resources")}

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    load_before = os.getloadavg()
    print(f"Load bench: {connections} connections, {duration:.0f} s per run, "
          f"{'/'.join(map(str, workers))} gunicorn workers ({os.cpu_count()} CPUs, load average "
          f"{load_before[0]:.2f})", flush=True)
    try:
        database_url = pg_create(args.database_url, PG_BENCH_DB)
    except Exception as error:  # noqa: BLE001 (psycopg's errors: said plainly, no traceback)
        print(f"No PostgreSQL server to build on at {args.database_url}: {error}",
              file=sys.stderr)
        return 2
    try:
        data = build(database_url, shape)
        rows, server = serve_and_measure(database_url, data, connections=connections,
                                         duration=duration, warmup=size["warmup"],
                                         workers=workers, tool=args.loadgen)
    finally:
        pg_drop(args.database_url, PG_BENCH_DB)
    load_after = os.getloadavg()

    for row in rows:
        row["sql_queries"] = data["sql_queries"].get(row["page"])
    print_table(rows, tool=rows[0].get("tool", "?"), workers=server["workers"])
    print(f"Load average: {load_before[0]:.2f} before, {load_after[0]:.2f} after "
          f"(1 min; {os.cpu_count()} CPUs)")
    out = BENCH_DIR / f"load-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    config = {**shape, "smoke": args.smoke, "duration_s": duration, "connections": connections,
              "workers": server["workers"], "worker_trials": server["trials"],
              "database": "postgresql", "cpus": os.cpu_count(),
              "mix": MIX, "goal": {"connections": GOAL_CONNECTIONS, "p99_ms": GOAL_P99_MS,
                                   "errors": 0},
              "server": "gunicorn as `alliances serve` starts it, ALLIANCES_ENV=production",
              "load_average_before": load_before, "load_average_after": load_after}
    out.write_text(json.dumps({"config": config, "rows_built": data["rows"],
                               "build_seconds": data["seconds"],
                               "targets": {name: t["paths"] for name, t in data["targets"].items()},
                               "rows": rows}, indent=2))
    print(f"\nWritten to {out.relative_to(ROOT)} ({time.perf_counter() - started:.0f} s in all)")
    return 0


# -- the data -------------------------------------------------------------------------------


def build(database_url: str, shape: dict) -> dict:
    """bench/load_data.py in a child process on the bench's database (development settings:
    the data is made, not served); the participant's password is this run's own."""
    env = {**server_env(), "ALLIANCES_VAR_DIR": str(BENCH_DIR), "DATABASE_URL": database_url}
    password = secrets.token_urlsafe(24)
    print(f"Building on PostgreSQL ({PG_BENCH_DB}): {shape['communes']:,} communes, "
          f"{shape['actors']:,} actors, {shape['cohorts']} cohorts × {shape['participants']} "
          f"participants × {shape['sessions']} sessions, {shape['respondents']:,} observatory "
          f"respondents, {shape['resources']:,} resources …", flush=True)
    built = subprocess.run(
        [sys.executable, "-m", "bench.load_data", "populate",
         json.dumps({**shape, "password": password})],
        env=env, cwd=ROOT, capture_output=True, text=True,
    )
    if built.returncode:
        print(built.stdout[-4000:], built.stderr[-8000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"building the data failed (status {built.returncode})")
    data = json.loads(built.stdout.splitlines()[-1])
    data["password"] = password
    steps = ", ".join(f"{name} {s:.1f} s" for name, s in data["seconds"].items())
    print(f"  built in {data['total_seconds']:.1f} s ({steps})")
    width = max(len(name) for name in data["rows"])
    for name, count in data["rows"].items():
        print(f"  {name:<{width}} {count:>10,}")
    return data


# -- the server -----------------------------------------------------------------------------


def production_env(database_url: str) -> dict[str, str]:
    """Production settings on 127.0.0.1 over plain HTTP (no TLS in front of it here)."""
    env = server_env()
    env.update(
        ALLIANCES_ENV="production", DEBUG="0", SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="0", ALLIANCES_VAR_DIR=str(BENCH_DIR),
        DATABASE_URL=database_url, ALLIANCES_BENCH="1",  # the baseline page
    )
    return env


def serve_and_measure(database_url: str, data: dict, *, connections: int, duration: float,
                      warmup: float, workers: list[int], tool: str) -> tuple[list[dict], dict]:
    """With several worker counts, a short run of the mix at each first; the one with the
    fewest errors, then the lowest p99, serves the measured runs."""
    env = production_env(database_url)
    t0 = time.perf_counter()
    collect_static(env)
    use_wrk = bool(tool == "wrk" or (tool == "auto" and shutil.which("wrk")))
    trials: dict[int, dict] = {}
    if len(workers) > 1:
        trial = min(TRIAL_SECONDS, duration)
        for count in workers:
            with running_server(env, count, data) as (base, port, targets):
                check_pages(port, targets)  # every path once: the page caches start warm
                mix = mix_requests(targets)
                if warmup:
                    run_load(base, mix, connections=connections, seconds=warmup,
                             use_wrk=use_wrk)
                trials[count] = run_load(base, mix, connections=connections, seconds=trial,
                                         use_wrk=use_wrk)
            r = trials[count]
            print(f"  {count} workers, the mix for {trial:.0f} s: {r['rps']:.0f} req/s, "
                  f"p50 {r['p50_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms, {r['errors']} errors",
                  flush=True)
    best = min(workers, key=lambda n: (trials[n]["errors"], trials[n]["p99_ms"],
                                       -trials[n]["rps"]) if trials else 0)
    if trials:
        print(f"  kept {best} workers", flush=True)
    with running_server(env, best, data) as (base, port, targets):
        print(f"  static files, server starts and worker trials: {time.perf_counter() - t0:.1f} s",
              flush=True)
        check_pages(port, targets)
        rows = measure(base, targets, connections=connections, duration=duration,
                       warmup=warmup, use_wrk=use_wrk)
    return rows, {"workers": best, "trials": {str(n): r for n, r in trials.items()}}


@contextmanager
def running_server(env: dict[str, str], workers: int, data: dict):
    """gunicorn on a free port of 127.0.0.1; yields its base URL and the targets, the
    signed-in ones with the cookie of a participant just signed in through the form.
    Stopped on the way out, whatever happened."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (BENCH_DIR / "server.log").open("a") as log:
        server = subprocess.Popen(
            gunicorn_command(port, workers), env=env, cwd=ROOT, stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(base, server)
            cookie = sign_in(port, data["participant"], data["password"])
            targets = [(BASELINE, ["/bench/baseline/"], {})]
            targets += [(name, t["paths"], {"Cookie": cookie} if t["signed_in"] else {})
                        for name, t in data["targets"].items()]
            yield base, port, targets
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


def collect_static(env: dict[str, str]) -> None:
    """`collectstatic` with the production storage (hashed and compressed names), as
    `alliances serve` runs it, unless an earlier run collected the same files: compressing
    them all again takes most of a minute on a small machine.

    A vendored script may name a source map the project does not ship (Leaflet's
    `//# sourceMappingURL=leaflet.js.map`): the manifest storage then refuses the whole
    collection, and production cannot start. The bench says so and puts an empty map of its
    own in its own static directory, so that the load can still be measured."""
    static_root = BENCH_DIR / "static"
    stamp = static_root / ".bench-load-sources"
    sources = static_sources()
    if stamp.exists() and stamp.read_text() == sources:
        print("  static files: collected by an earlier run from the same sources", flush=True)
        return
    stamp.unlink(missing_ok=True)
    for _attempt in range(5):
        run = subprocess.run(
            [sys.executable, "-m", "alliances", "collectstatic", "--noinput", "-v", "0"],
            env=env, cwd=ROOT, capture_output=True, text=True,
        )
        if run.returncode == 0:
            stamp.write_text(sources)
            return
        missing = re.search(r"The file '([^']+\.map)' could not be found", run.stderr)
        if not missing:
            raise SystemExit(f"collectstatic failed:\n{run.stderr[-4000:]}")
        print(f"  WARNING: production collectstatic fails: {missing[1]} is referenced but not "
              "shipped (a bug of the project's static files); the bench writes an empty "
              "source map in its own static directory to go on", flush=True)
        placeholder = static_root / missing[1]
        placeholder.parent.mkdir(parents=True, exist_ok=True)
        placeholder.write_text('{"version": 3, "sources": [], "mappings": ""}')
    raise SystemExit("collectstatic still fails after 5 missing source maps")


def static_sources() -> str:
    """What the collected files are made from: the project's static files (path, size,
    modification time) and the installed distributions (Django's admin, allauth… ship
    theirs)."""
    from importlib.metadata import distributions

    files = sorted(
        f"{path.relative_to(ROOT)} {path.stat().st_size} {path.stat().st_mtime_ns}"
        for path in (ROOT / "alliances").glob("**/static/**/*") if path.is_file()
    )
    packages = sorted(f"{d.metadata['Name']}=={d.version}" for d in distributions())
    return "\n".join([*files, *packages])


def gunicorn_command(port: int, workers: int) -> list[str]:
    """The web server as `alliances serve` starts it (its migrate and collectstatic are done
    above: the bench's collection may need the source map stand-in)."""
    return [sys.executable, "-m", "gunicorn", "alliances.wsgi:application",
            "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--timeout", "60",
            "--no-control-socket"]


def get(port: int, path: str, headers: dict[str, str] | None = None, *, method: str = "GET",
        body: str | None = None) -> tuple[int, http.client.HTTPMessage, str]:
    """One request, redirects not followed (a redirect to the login page is an answer)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def cookies_of(headers: http.client.HTTPMessage, cookies: dict[str, str]) -> dict[str, str]:
    """`cookies` updated by the Set-Cookie headers, as a browser keeps them: a cookie set
    empty or with Max-Age=0 is deleted. (Production marks them Secure, so a cookie jar would
    not send them back over plain HTTP: the bench sends them itself.)"""
    cookies = dict(cookies)
    for value in headers.get_all("Set-Cookie", []):
        match = re.match(r"\s*([^=;]+)=([^;]*)", value)
        if not match:
            continue
        if not match[2].strip('"') or re.search(r"max-age=0\b", value, re.I):
            cookies.pop(match[1], None)
        else:
            cookies[match[1]] = match[2]
    return cookies


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def sign_in(port: int, email: str, password: str) -> str:
    """The login form, as a browser fills it in, then the page it leads to (which shows,
    and so clears, the "signed in" message: a cookie still carrying it would keep every
    page out of the per-person cache); returns the Cookie header of the signed-in person."""
    status, headers, page = get(port, "/compte/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or not token:
        raise SystemExit(f"the login page answered HTTP {status} without a CSRF token")
    cookies = cookies_of(headers, {})
    status, headers, _ = get(
        port, "/compte/login/", method="POST",
        body=urlencode({"csrfmiddlewaretoken": token[1], "login": email, "password": password}),
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Cookie": cookie_header(cookies),
                 "Referer": f"http://127.0.0.1:{port}/compte/login/"},
    )
    cookies = cookies_of(headers, cookies)
    if status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"signing in as {email} failed: HTTP {status}, cookies {sorted(cookies)}")
    status, headers, _ = get(port, headers["Location"], {"Cookie": cookie_header(cookies)})
    cookies = cookies_of(headers, cookies)
    if status != 200 or "sessionid" not in cookies:
        raise SystemExit(f"after signing in, {headers.get('Location')} answered HTTP {status}")
    return cookie_header(cookies)


def check_pages(port: int, targets: list[tuple[str, list[str], dict[str, str]]]) -> None:
    """Every path answers 200 before any load (else the run would measure error pages),
    and the signed-in pages are the signed-in ones (the logout form is there)."""
    def problem(name: str, path: str, headers: dict[str, str]) -> str | None:
        status, _, page = get(port, path, headers)
        if status != 200:
            return f"{name}: {path} answers HTTP {status}"
        if headers and "/compte/logout/" not in page:
            return f"{name}: {path} is not the signed-in page"
        return None

    started = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:  # a few at a time: the workers are several
        found = pool.map(lambda job: problem(*job),
                         [(name, path, headers) for name, paths, headers in targets
                          for path in paths])
        problems = [p for p in found if p]
    if problems:
        raise SystemExit("pages not ready for load:\n  " + "\n  ".join(problems[:20]))
    print(f"  {sum(len(p) for _, p, _ in targets)} paths answer 200; the signed-in pages are "
          f"the participant's ({time.perf_counter() - started:.1f} s)", flush=True)


# -- the load -------------------------------------------------------------------------------


def measure(base: str, targets: list[tuple[str, list[str], dict[str, str]]], *,
            connections: int, duration: float, warmup: float, use_wrk: bool) -> list[dict]:
    if warmup:  # every worker loads its code, templates and the wave's data: not timed
        for _name, paths, headers in targets:
            run_load(base, [(p, headers) for p in paths], connections=connections,
                     seconds=warmup, use_wrk=use_wrk)
    runs = [(name, [(p, headers) for p in paths]) for name, paths, headers in targets]
    runs.append(("mix of the pages", mix_requests(targets)))
    rows = []
    baseline_rps = None
    for name, requests in runs:
        print(f"  {name}: {len(requests)} paths, {duration:.0f} s …", flush=True)
        result = run_load(base, requests, connections=connections, seconds=duration,
                          use_wrk=use_wrk)
        baseline_rps = baseline_rps or result["rps"]
        judged = name != BASELINE and connections == GOAL_CONNECTIONS
        met = result["errors"] == 0 and result["p99_ms"] <= GOAL_P99_MS
        rows.append({"page": name, "paths": len(requests), "connections": connections,
                     **result, "ratio": round(result["rps"] / baseline_rps, 3),
                     "goal": ("met" if met else "missed") if judged else None})
    return rows


def mix_requests(targets) -> list[tuple[str, dict[str, str]]]:
    """One round of the mix: each page's paths repeated to its share, interleaved so that
    every stretch of the rotation has all of them."""
    lists = {name: [(p, headers) for p in paths] for name, paths, headers in targets}
    weighted = []
    for name, share in MIX.items():
        items = lists[name]
        count = max(share * 4, len(items))  # every path at least once
        weighted += [((n + 0.5) / count, items[n % len(items)]) for n in range(count)]
    weighted.sort(key=lambda pair: pair[0])
    return [item for _, item in weighted]


def run_load(base: str, requests: list[tuple[str, dict[str, str]]], *, connections: int,
             seconds: float, use_wrk: bool) -> dict:
    if use_wrk:
        return run_wrk(base, requests, connections=connections, seconds=seconds)
    # The Python generator sends one set of headers with every request: a mix holding
    # signed-in pages is then browsed entirely signed in (wrk sends each its own).
    headers = next((h for _, h in requests if h), {})
    result = loadgen.run(base, [p for p, _ in requests], connections=connections,
                         seconds=seconds, tool="python", headers=headers)
    return {"tool": result.tool, "requests": result.requests, "rps": round(result.rps, 1),
            "p50_ms": round(result.p50_ms, 1), "p99_ms": round(result.p99_ms, 1),
            "errors": result.errors, "non_2xx": None, "socket_errors": None}


# Each thread starts at its own place in the rotation; every answer not 2xx is counted (wrk
# itself counts only ≥ 400: a redirect to the login page would pass), summed over the threads.
WRK_LUA = """
local entries = {%s}
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("offset", #threads * 997)
end
function init(args)
  bad = 0
  n = 0
end
function request()
  n = n + 1
  local entry = entries[(offset + n) %% #entries + 1]
  return wrk.format(nil, entry[1], entry[2])
end
function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local non2xx = 0
  for _, thread in ipairs(threads) do non2xx = non2xx + thread:get("bad") end
  local e = summary.errors
  io.write(string.format("BENCH %%d %%d %%d %%d %%d %%d\\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, non2xx))
end
"""


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_wrk(base: str, requests: list[tuple[str, dict[str, str]]], *, connections: int,
            seconds: float) -> dict:
    def entry(path: str, headers: dict[str, str]) -> str:
        fields = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
        return f"{{{lua_string(path)}, {{{fields}}}}}"

    entries = ", ".join(entry(path, headers) for path, headers in requests)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_LUA % entries)
    try:
        text = subprocess.run(
            ["wrk", "-t", str(min(2, connections)), "-c", str(connections),
             "-d", f"{max(1, round(seconds))}s", "--timeout", "10s", "-s", script.name, base],
            capture_output=True, text=True, check=True,
        ).stdout
    finally:
        Path(script.name).unlink()
    match = re.search(r"^BENCH (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", text, re.M)
    if not match:
        raise SystemExit(f"unexpected wrk output:\n{text}")
    requests_done, duration_us, p50, p99, socket_errors, non_2xx = map(int, match.groups())
    return {"tool": "wrk", "requests": requests_done,
            "rps": round(requests_done / (duration_us / 1e6), 1),
            "p50_ms": round(p50 / 1000, 1), "p99_ms": round(p99 / 1000, 1),
            "errors": socket_errors + non_2xx, "non_2xx": non_2xx,
            "socket_errors": socket_errors}


def print_table(rows: list[dict], *, tool: str, workers: int) -> None:
    print(f"\nLoad generator: {tool}; {workers} gunicorn sync workers")
    header = ("page", "paths", "conns", "requests", "req/s", "p50 ms", "p99 ms", "× baseline",
              "errors", "SQL", "goal")
    lines = [header]
    for row in rows:
        lines.append((row["page"], str(row["paths"]), str(row["connections"]),
                      f"{row['requests']:,}", f"{row['rps']:.0f}", f"{row['p50_ms']:.1f}",
                      f"{row['p99_ms']:.1f}", f"{row['ratio']:.2f}", str(row["errors"]),
                      "" if row.get("sql_queries") is None else str(row["sql_queries"]),
                      row["goal"] or ""))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for n, line in enumerate(lines):
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(line, widths, strict=True))))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print(f"Goal at {GOAL_CONNECTIONS} connections: zero errors (non-2xx answers, redirects "
          f"included; socket errors; timeouts) and p99 ≤ {GOAL_P99_MS:.0f} ms, each page and "
          "the mix; at other connection counts the rows are not judged. SQL: the page's "
          "queries (its first path, steady state, test client).")
