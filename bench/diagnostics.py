"""`alliances bench diagnostics`: the bilans at the issue's scale (1,000 pilot territories ×
3 bilans on a 30-criterion grid, 50 cohorts × 20 territories), signed in as an animateur,
next to the foundation's baseline page.

Builds a database of its own (SQLite under var/bench-diagnostics/, or with --database-url a
PostgreSQL database of its own that it creates and drops; the user's database is never
opened), starts the server exactly as `alliances serve` does, and loads, with a real session
cookie, the animateur's cohort view (/bilans/promotion/<slug>/) next to the baseline page of
`alliances bench pages` measured in the same run:

- "cohort view (animateur)": as a browser asks for it (session and CSRF cookies), served
  from the per-person cohort page cache (journeys.pagecache) once stored;
- "cohort view, rendered": the session cookie alone, so the page cache stands aside and
  every request renders the page: what the first view after a write costs.

Prints req/s, p50, p99, the ratio to the baseline and each page's SQL query count (fetched
with Django's test client: steady, and first view after a write); the same pages one
request at a time in process; and the time of one feuille de route PDF (a plan of the
30-criterion grid with 3 bilans, a cible, 20 actions and 4 milestones) fetched from its
URL. Writes the same as JSON. Nothing here asserts a time: the figures are for people to
read, against the goals printed at the end.

The data is made with bulk_create, not through the services (they save row by row:
~125,000 rows would take minutes); `check_consistency` then checks it against what the
services make: a bilan made by `bilan_create` on the same plan has the same criteria,
levels are within the grid's levels, entries belong to their bilan's version, validated
bilans have a date of validation, and samples pass full_clean().
"""

import argparse
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import journeys, pages

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench-diagnostics"
FULL = {
    "cohorts": 50,
    "territories": 20,
    "bilans": 3,
    "duration": 20.0,
    "connections": "50",
    "rounds": 4,
}
SMOKE = {
    "cohorts": 4,
    "territories": 5,
    "bilans": 3,
    "duration": 2.0,
    "connections": "4",
    "rounds": 1,
}
AXES, CRITERIA = 6, 5
PDF_ACTIONS, PDF_MILESTONES = 20, 4
GOAL_RATIO, GOAL_QUERIES, GOAL_PDF_S = 1.0, 15, 2.0
PG_BENCH_DB = "alliances_bench_diagnostics"
BASELINE = "baseline (50 communes)"
VIEW, RENDERED = "cohort view (animateur)", "cohort view, rendered"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="alliances bench diagnostics", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="small and short (CI)")
    parser.add_argument("--duration", type=float, help="seconds per run")
    parser.add_argument("--connections", help="comma-separated, e.g. 16,50")
    parser.add_argument("--cohorts", type=int)
    parser.add_argument("--territories", type=int, help="per cohort")
    parser.add_argument("--bilans", type=int, help="per territory")
    parser.add_argument(
        "--rounds", type=int, help="pages measured in rotation this many times (medians)"
    )
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server (postgres://user@host:port/any): the bench "
        f"creates and drops its own database {PG_BENCH_DB!r} there",
    )
    parser.add_argument(
        "--loadgen",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="auto: wrk when installed, else the Python generator",
    )
    args = parser.parse_args(argv)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    # Two runs at once would share one database file, each deleting the other's.
    with (BENCH_DIR / "run.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"Another run of this bench uses {BENCH_DIR}: waiting for it …", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        return run(args)


def run(args: argparse.Namespace) -> int:
    size = SMOKE if args.smoke else FULL
    shape = {
        "cohorts": args.cohorts or size["cohorts"],
        "territories": args.territories or size["territories"],
        "bilans": args.bilans or size["bilans"],
    }
    duration = args.duration or size["duration"]
    rounds = args.rounds or size["rounds"]
    levels = [int(n) for n in (args.connections or size["connections"]).split(",")]

    for stale in BENCH_DIR.glob("alliances.sqlite3*"):
        stale.unlink()
    env = pages.server_env()
    env["ALLIANCES_VAR_DIR"] = str(BENCH_DIR)
    database = "sqlite"
    if args.database_url:
        env["DATABASE_URL"] = journeys.pg_create(args.database_url, PG_BENCH_DB)
        database = "postgresql"
    load_before = os.getloadavg()
    started = time.perf_counter()
    try:
        print(
            f"Building {shape['cohorts']} cohorts × {shape['territories']} pilot territories × "
            f"{shape['bilans']} bilans on a {AXES * CRITERIA}-criterion grid, on {database} "
            f"in {BENCH_DIR} …",
            flush=True,
        )
        built = subprocess.run(
            [sys.executable, "-m", "bench.diagnostics", "populate", json.dumps(shape)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if built.returncode:
            print(built.stdout[-4000:], built.stderr[-8000:], sep="\n", file=sys.stderr)
            return built.returncode
        data = json.loads(built.stdout.splitlines()[-1])
        print(f"  built in {data['seconds']:.1f} s: {data['rows']}", flush=True)
        print(f"  consistency with the services: {data['consistency']}", flush=True)

        path = f"/bilans/promotion/{data['slug']}/"
        targets = [
            (BASELINE, ["/bench/baseline/"], {}),
            ("baseline, signed in", ["/bench/baseline/"], {"Cookie": data["cookie"]}),
            (VIEW, [path], {"Cookie": data["cookie"]}),
            (RENDERED, [path], {"Cookie": data["session_cookie"]}),
        ]
        port = pages.free_port()
        base = f"http://127.0.0.1:{port}"
        with (BENCH_DIR / "server.log").open("w") as log:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "alliances",
                    "serve",
                    "--no-demo",
                    "--no-worker",
                    "--port",
                    str(port),
                ],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                pages.wait_until_up(base, server)
                rows = journeys.measure(
                    base,
                    targets,
                    levels=levels,
                    duration=duration,
                    smoke=args.smoke,
                    tool=args.loadgen,
                    rounds=rounds,
                )
            finally:
                server.send_signal(signal.SIGTERM)
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()
    finally:
        if args.database_url:
            journeys.pg_drop(args.database_url, PG_BENCH_DB)

    for row in rows:
        row["queries"] = data["queries"].get(row["page"])
    print_table(rows, tool=rows[0].get("tool", "?") if rows else "?")
    base_ms = data["timings"][BASELINE]
    print("\nOne request at a time, in process (test client, median of 31):")
    for name, ms in data["timings"].items():
        print(f"  {name:<28} {ms:8.2f} ms  {base_ms / ms:5.2f}× the baseline's speed")
    pdf = data["pdf"]
    if pdf.get("seconds") is not None:
        print(
            f"One feuille de route PDF ({pdf['criteria']} criteria, {pdf['actions']} actions): "
            f"{pdf['seconds']:.2f} s (median of {pdf['runs']}), {pdf['bytes']:,} bytes, "
            f"{pdf['queries']} queries — goal ≤ {GOAL_PDF_S:.0f} s: "
            f"{'met' if pdf['seconds'] <= GOAL_PDF_S else 'missed'}"
        )
    else:
        print(f"Feuille de route PDF: not measured ({pdf['note']})")
    print(f"Load average before the run: {load_before[0]:.2f} on {os.cpu_count()} CPUs")
    out = BENCH_DIR / f"diagnostics-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    config = {
        **shape,
        "criteria": AXES * CRITERIA,
        "database": database,
        "duration_s": duration,
        "rounds": rounds,
        "connections": levels,
        "cohort": data["slug"],
        "rows_built": data["rows"],
        "build_seconds": data["seconds"],
        "consistency": data["consistency"],
        "queries": data["queries"],
        "server_ms": data["timings"],
        "pdf": pdf,
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "server": "alliances serve",
    }
    out.write_text(json.dumps({"config": config, "rows": rows}, indent=2))
    print(f"\nWritten to {out.relative_to(ROOT)} ({time.perf_counter() - started:.0f} s in all)")
    return 0


def print_table(rows: list[dict], *, tool: str) -> None:
    print(f"\nLoad generator: {tool}")
    header = (
        "page",
        "conns",
        "req/s",
        "p50 ms",
        "p99 ms",
        "× baseline",
        "× signed-in",
        "errors",
        "queries",
    )
    lines = [header]
    for row in rows:
        queries = "" if row.get("queries") is None else str(row["queries"])
        if "rps" not in row:
            lines.append((row["page"], str(row["connections"]), f"HTTP {row['status']}", *[""] * 6))
            continue
        lines.append(
            (
                row["page"],
                str(row["connections"]),
                f"{row['rps']:.0f}",
                f"{row['p50_ms']:.1f}",
                f"{row['p99_ms']:.1f}",
                f"{row['ratio']:.2f}",
                "" if row.get("ratio_signed_in") is None else f"{row['ratio_signed_in']:.2f}",
                str(row["errors"]),
                queries,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for n, line in enumerate(lines):
        print(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(line, widths, strict=True))
            )
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))
    view = next((r for r in rows if r["page"] == VIEW and "rps" in r), None)
    rendered = next((r for r in rows if r["page"] == RENDERED and "rps" in r), None)
    if view is not None:
        queries = max(view.get("queries") or 0, (rendered or {}).get("queries") or 0)
        met = view["ratio"] >= GOAL_RATIO and queries <= GOAL_QUERIES
        print(
            f"Goal: the cohort view ≥ {GOAL_RATIO:.1f}× the baseline's req/s (anonymous, "
            f"first row) and ≤ {GOAL_QUERIES} SQL queries, stored or rendered: "
            f"{'met' if met else 'missed'} ({view['ratio']:.2f}×, {queries} queries at most)."
        )
        print(
            "  × signed-in: the ratio to the same baseline page requested with the session "
            "cookie. Ratios are medians of per-round ratios (pages measured in rotation)."
        )
        if rendered is not None:
            print(
                f"  Rendered at every request (no page cache): {rendered['ratio']:.2f}× the "
                "baseline's req/s."
            )


# -- the data, built in a child process configured for the bench's database ----------------


def populate(shape: dict) -> dict:
    import random

    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from alliances.accounts.models import User
    from alliances.diagnostics import models as d
    from alliances.diagnostics.testing import make_grid
    from alliances.journeys import models as m
    from alliances.journeys.pagecache import cohort_pages_changed

    started = time.perf_counter()
    # Migrations, and communes for the baseline page (a few actors: populate wants some).
    pages.populate(2000, 200)
    rng = random.Random(2018)
    n_cohorts, n_territories, n_bilans = shape["cohorts"], shape["territories"], shape["bilans"]
    programme = m.Programme.objects.get(slug="parcours-co-construction")
    span = max(p.start_offset_days + p.duration_days for p in programme.phases.all())
    today = timezone.localdate()
    now = timezone.now()
    hashed = make_password(None)  # unusable: the bench signs in server-side
    rows: dict[str, int] = {}

    version = make_grid(slug="grille-banc", axes=AXES, criteria=CRITERIA)
    grid = version.grid
    criteria = list(version.criteria.order_by("axis__position", "position"))
    max_level = version.levels.count()

    with transaction.atomic():
        # One animateur per 10 cohorts, a binôme per pilot territory.
        n_anim = max(1, n_cohorts // 10)
        users = [
            User(
                email=f"animateur{i}@bench.example",
                display_name=f"Animateur {i}",
                role=User.Role.ANIMATEUR,
                password=hashed,
            )
            for i in range(n_anim)
        ]
        users += [
            User(
                email=f"p{c}-{t}-{n}@bench.example",
                password=hashed,
                role=User.Role.PARTICIPANT,
                display_name=f"Personne {c}-{t}-{n}",
            )
            for c in range(n_cohorts)
            for t in range(n_territories)
            for n in range(2)
        ]
        User.objects.bulk_create(users, batch_size=2000)
        by_email = dict(
            User.objects.filter(email__endswith="@bench.example").values_list("email", "pk")
        )
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user_id=pk, email=email, primary=True, verified=True)
                for email, pk in by_email.items()
            ],
            batch_size=2000,
        )
        rows["users"] = len(by_email)

        # Cohorts that started a little over three years ago: T0, end of the parcours and
        # M36 bilans are all in the past.
        cohorts = []
        for c in range(n_cohorts):
            start = today - timedelta(days=1120 + 7 * (c % 10) + today.weekday())
            cohorts.append(
                m.Cohort(
                    programme=programme,
                    name=f"Promotion bilans {c:03d}",
                    slug=f"bilans-{c:03d}",
                    start=start,
                    end=start + timedelta(days=span - 1),
                    status=m.CohortStatus.TERMINE,
                    visibility=m.CohortVisibility.PRIVATE,
                )
            )
        m.Cohort.objects.bulk_create(cohorts)
        cohorts = list(m.Cohort.objects.filter(slug__startswith="bilans-").order_by("slug"))
        rows["cohorts"] = len(cohorts)

        m.PilotTerritory.objects.bulk_create(
            [
                m.PilotTerritory(cohort=cohort, name=f"Territoire {c}-{t + 1:02d}")
                for c, cohort in enumerate(cohorts)
                for t in range(n_territories)
            ],
            batch_size=2000,
        )
        territories = list(
            m.PilotTerritory.objects.filter(cohort__in=cohorts).order_by("cohort__slug", "name")
        )
        rows["pilot territories"] = len(territories)
        cohort_index = {cohort.pk: c for c, cohort in enumerate(cohorts)}
        members = [
            m.CohortMember(
                cohort=cohort,
                user_id=by_email[f"animateur{c % n_anim}@bench.example"],
                role=m.CohortRole.ANIMATEUR,
            )
            for c, cohort in enumerate(cohorts)
        ]
        for territory in territories:
            c = cohort_index[territory.cohort_id]
            t = int(territory.name.rsplit("-", 1)[1]) - 1
            members += [
                m.CohortMember(
                    cohort_id=territory.cohort_id,
                    user_id=by_email[f"p{c}-{t}-{n}@bench.example"],
                    role=m.CohortRole.PARTICIPANT,
                    pilot_territory=territory,
                )
                for n in range(2)
            ]
        m.CohortMember.objects.bulk_create(members, batch_size=2000)
        rows["members"] = len(members)

        d.Plan.objects.bulk_create(
            [d.Plan(grid=grid, pilot_territory=t, name=t.name) for t in territories],
            batch_size=2000,
        )
        plans = list(d.Plan.objects.filter(grid=grid).select_related("pilot_territory__cohort"))
        rows["plans"] = len(plans)

        # T0 at the start, the end of the parcours, then M36; levels climb a little from
        # one to the next. One territory in ten has its latest bilan still in draft.
        moments = [d.BilanMoment.T0, d.BilanMoment.END, d.BilanMoment.M36]
        offsets = [14, span, 1095]
        team = {m.pilot_territory_id: m.user_id for m in members if m.pilot_territory_id}
        bilans = []
        for plan in plans:
            start = plan.pilot_territory.cohort.start
            for b in range(n_bilans):
                draft = b == n_bilans - 1 and plan.pk % 10 == 0
                bilans.append(
                    d.Bilan(
                        plan=plan,
                        grid_version=version,
                        moment=moments[b] if b < len(moments) else d.BilanMoment.OTHER,
                        date=start + timedelta(days=offsets[min(b, 2)] + 30 * max(0, b - 2)),
                        status=d.BilanStatus.DRAFT if draft else d.BilanStatus.VALIDATED,
                        created_by_id=team[plan.pilot_territory_id],
                        validated_at=None if draft else now,
                        validated_by_id=None if draft else team[plan.pilot_territory_id],
                    )
                )
        d.Bilan.objects.bulk_create(bilans, batch_size=2000)
        bilan_rows = list(
            d.Bilan.objects.filter(grid_version=version)
            .order_by("plan_id", "date")
            .values_list("pk", "plan_id", "plan__pilot_territory_id")
        )
        rows["bilans"] = len(bilan_rows)
        entries = []
        base_level = {}
        for pk, plan_id, territory_id in bilan_rows:
            for criterion in criteria:
                key = (plan_id, criterion.pk)
                level = base_level.get(key) or rng.randint(1, max_level - 1)
                level = min(max_level, level + (rng.random() < 0.4))
                base_level[key] = level
                entries.append(
                    d.Entry(
                        bilan_id=pk,
                        criterion=criterion,
                        level=level,
                        evidence="Ce qui le montre.",
                        revision=1,
                        updated_by_id=team[territory_id],
                        updated_at=now,
                    )
                )
        d.Entry.objects.bulk_create(entries, batch_size=5000)
        rows["entries"] = len(entries)
        targets = [
            d.Target(
                plan=plan,
                criterion=criterion,
                horizon=d.Horizon.M36,
                level=rng.randint(3, max_level),
            )
            for plan in plans
            for criterion in criteria
        ]
        d.Target.objects.bulk_create(targets, batch_size=5000)
        rows["targets"] = len(targets)

        # The plan whose feuille de route is printed: 20 actions and 4 milestones.
        printed = min(plans, key=lambda plan: plan.pk)
        owner = next(
            member for member in members if member.pilot_territory == printed.pilot_territory
        )
        year_start = printed.pilot_territory.cohort.start
        d.Action.objects.bulk_create(
            d.Action(
                plan=printed,
                title=f"Action {a + 1} de la feuille de route",
                description="Ce que nous ferons, avec qui, pour quoi.",
                owner_id=owner.user_id,
                start=year_start + timedelta(days=30 * a),
                due=year_start + timedelta(days=30 * a + 60),
                status=[s for s, _ in d.ActionStatus.choices][a % 4],
            )
            for a in range(PDF_ACTIONS)
        )
        d.Milestone.objects.bulk_create(
            d.Milestone(
                plan=printed,
                title=f"Jalon {n + 1}",
                date=year_start + timedelta(days=150 * (n + 1)),
                done=n < 2,
            )
            for n in range(PDF_MILESTONES)
        )
        through = d.Action.criteria.through
        through.objects.bulk_create(
            through(action_id=action_pk, criterion_id=criteria[n % len(criteria)].pk)
            for n, action_pk in enumerate(
                d.Action.objects.filter(plan=printed).values_list("pk", flat=True)
            )
        )
        rows["actions"] = PDF_ACTIONS

    consistency = check_consistency(version, printed)
    built_seconds = time.perf_counter() - started

    # The animateur the bench signs in as, with a real database session; each page's
    # queries and its time one request at a time, with the test client.
    cohort = cohorts[0]
    animateur = User.objects.get(email="animateur0@bench.example")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(animateur)
    path = f"/bilans/promotion/{cohort.slug}/"
    queries: dict[str, int] = {}
    timings: dict[str, float] = {}
    # Warm twice: the first answer sets the CSRF cookie, the second is stored in the
    # cohort page cache; then the counts are of a steady page.
    client.get(path)
    client.get(path)
    with CaptureQueriesContext(journeys.connection_of()) as captured:
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code}")
    queries[VIEW] = len(captured.captured_queries)
    timings[VIEW] = journeys.median_ms(client, path)
    # The first view after a write: the cache's state query, then the whole render.
    cohort_pages_changed(cohort.pk)
    with CaptureQueriesContext(journeys.connection_of()) as captured:
        client.get(path)
    queries[RENDERED] = len(captured.captured_queries)
    timings[RENDERED] = journeys.median_ms(
        client, path, before=lambda: cohort_pages_changed(cohort.pk)
    )
    cookie = "; ".join(f"{name}={c.value}" for name, c in client.cookies.items())
    session_cookie = "; ".join(
        f"{name}={c.value}" for name, c in client.cookies.items() if name != "csrftoken"
    )
    signed_in = Client(HTTP_HOST="127.0.0.1")
    signed_in.force_login(animateur)
    signed_in.get("/bench/baseline/")
    timings["baseline, signed in"] = journeys.median_ms(signed_in, "/bench/baseline/")
    anonymous = Client(HTTP_HOST="127.0.0.1")
    anonymous.get("/bench/baseline/")
    with CaptureQueriesContext(journeys.connection_of()) as captured:
        anonymous.get("/bench/baseline/")
    queries[BASELINE] = len(captured.captured_queries)
    timings[BASELINE] = journeys.median_ms(anonymous, "/bench/baseline/")
    return {
        "slug": cohort.slug,
        "rows": rows,
        "seconds": round(built_seconds, 1),
        "consistency": consistency,
        "cookie": cookie,
        "session_cookie": session_cookie,
        "queries": queries,
        "timings": timings,
        "pdf": measure_pdf(printed, animateur, criteria=len(criteria)),
    }


def measure_pdf(plan, user, *, criteria: int, runs: int = 5) -> dict:
    """One feuille de route PDF, fetched from its URL as its cohort's animateur."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    try:
        path = reverse("diagnostics:feuille_de_route_pdf", args=[plan.pk])
    except NoReverseMatch:
        return {"seconds": None, "note": "no feuille de route PDF in this version"}
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    started = time.perf_counter()
    with CaptureQueriesContext(journeys.connection_of()) as captured:
        response = client.get(path)  # the first one loads fonts and templates
    first = time.perf_counter() - started
    queries = len(captured.captured_queries)  # before the next request resets the log
    if response.status_code != 200 or not response.content.startswith(b"%PDF"):
        return {"seconds": None, "note": f"{path}: HTTP {response.status_code}, not a PDF"}
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
    return {
        "path": path,
        "seconds": round(sorted(times)[runs // 2], 3),
        "first_seconds": round(first, 3),
        "runs": runs,
        "bytes": len(response.content),
        "queries": queries,
        "criteria": criteria,
        "actions": PDF_ACTIONS,
    }


def check_consistency(version, plan) -> str:
    """What the services would have refused, looked for in the bulk-made data."""
    from django.db import transaction
    from django.db.models import F, Q

    from alliances.diagnostics import models as d

    problems = []
    bilans = d.Bilan.objects.filter(grid_version=version)
    entries = d.Entry.objects.filter(bilan__in=bilans)
    max_level = version.levels.count()
    if entries.filter(Q(level__lt=1) | Q(level__gt=max_level)).exists():
        problems.append("levels out of the grid's range")
    if entries.exclude(criterion__version=F("bilan__grid_version")).exists():
        problems.append("entries of a criterion of another version")
    if bilans.exclude(plan__grid=F("grid_version__grid")).exists():
        problems.append("bilans on another grid than their plan's")
    if bilans.filter(status=d.BilanStatus.VALIDATED, validated_at__isnull=True).exists():
        problems.append("validated bilans without a date")
    if d.Action.objects.filter(due__lt=F("start")).exists():
        problems.append("actions due before they start")
    # A bilan made by the service has one entry per criterion of the version, as here.
    from alliances.diagnostics.services import bilan_create

    with transaction.atomic():
        member = plan.pilot_territory.members.select_related("user").first()
        made = bilan_create(
            plan=plan,
            moment=d.BilanMoment.OTHER,
            date=version.published_at.date(),
            user=member.user,
        )
        expected = set(made.entries.values_list("criterion_id", flat=True))
        transaction.set_rollback(True)
    first = plan.bilans.exclude(pk=made.pk).first()
    if set(first.entries.values_list("criterion_id", flat=True)) != expected:
        problems.append("a bilan's criteria differ from bilan_create's")
    for model in (d.Plan, d.Bilan, d.Entry, d.Target, d.Action, d.Milestone):
        for obj in model.objects.order_by("?")[:20]:
            try:
                obj.full_clean()
            except Exception as error:  # noqa: BLE001 (reported, not raised)
                problems.append(f"{model.__name__} {obj.pk}: {error}")
    return "ok" if not problems else "; ".join(problems[:10])


if __name__ == "__main__" and sys.argv[1:2] == ["populate"]:
    print(json.dumps(populate(json.loads(sys.argv[2]))))
