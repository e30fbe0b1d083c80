"""`alliances bench journeys`: the parcours at the issue's scale (200 cohorts × 30
participants × 40 sessions), signed in, next to the foundation's baseline page.

Builds a database of its own (SQLite under var/bench-journeys/, or with --database-url a
PostgreSQL database of its own that it creates and drops; the user's database is never
opened), starts the server exactly as `alliances serve` does, and loads, with a real session
cookie, the cohort space of a participant (/parcours/<slug>/) and the animateur's console
(/parcours/<slug>/animation/), next to the baseline page of `alliances bench pages`
measured in the same run. Prints req/s, p50, p99, the ratio to the baseline and each page's
SQL query count (fetched once with Django's test client); writes the same as JSON.
Nothing here asserts a time: the figures are for people to read.

The data is made with bulk_create, not through the services: the services save row by row
(full_clean, one INSERT each), which for ~400,000 rows takes many minutes; bulk_create takes
seconds. `check_consistency` then checks the result against what the services make: the
phases equal those `cohort_create_from_programme` computes for the same start, sessions and
work fall within the cohort and their phase, only members register, attendance exists only
for started sessions, handed-in work has a date, and samples pass full_clean().
"""

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import loadgen, pages

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench-journeys"
FULL = {
    "cohorts": 200,
    "participants": 30,
    "sessions": 40,
    "duration": 20.0,
    "connections": "50",
    "rounds": 4,
}
SMOKE = {
    "cohorts": 4,
    "participants": 6,
    "sessions": 10,
    "duration": 2.0,
    "connections": "4",
    "rounds": 1,
}
ASSIGNMENTS = 6
GOAL_RATIO, GOAL_QUERIES = 1.0, 20
PG_BENCH_DB = "alliances_bench"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="alliances bench journeys", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="small and short (CI)")
    parser.add_argument("--duration", type=float, help="seconds per run")
    parser.add_argument("--connections", help="comma-separated, e.g. 16,50")
    parser.add_argument(
        "--rounds", type=int, help="pages measured in rotation this many times (medians)"
    )
    parser.add_argument("--cohorts", type=int)
    parser.add_argument("--participants", type=int, help="per cohort")
    parser.add_argument("--sessions", type=int, help="per cohort")
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
    size = SMOKE if args.smoke else FULL
    shape = {
        "cohorts": args.cohorts or size["cohorts"],
        "participants": args.participants or size["participants"],
        "sessions": args.sessions or size["sessions"],
    }
    duration = args.duration or size["duration"]
    levels = [int(n) for n in (args.connections or size["connections"]).split(",")]

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for stale in BENCH_DIR.glob("alliances.sqlite3*"):
        stale.unlink()
    env = pages.server_env()
    env["ALLIANCES_VAR_DIR"] = str(BENCH_DIR)
    database = "sqlite"
    if args.database_url:
        env["DATABASE_URL"] = pg_create(args.database_url)
        database = "postgresql"
    load_before = os.getloadavg()
    started = time.perf_counter()
    try:
        print(
            f"Building {shape['cohorts']} cohorts × {shape['participants']} participants × "
            f"{shape['sessions']} sessions on {database} in {BENCH_DIR} …",
            flush=True,
        )
        built = subprocess.run(
            [sys.executable, "-m", "bench.journeys", "populate", json.dumps(shape)],
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

        slug = data["slug"]
        participant = {"Cookie": data["cookies"]["participant"]}
        animateur = {"Cookie": data["cookies"]["animateur"]}
        targets = [
            ("baseline (50 communes)", ["/bench/baseline/"], {}),
            ("baseline, signed in", ["/bench/baseline/"], participant),
            ("cohort space (participant)", [f"/parcours/{slug}/"], participant),
            ("cohort space (animateur)", [f"/parcours/{slug}/"], animateur),
            ("console (animateur)", [f"/parcours/{slug}/animation/"], animateur),
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
                rows = measure(
                    base,
                    targets,
                    levels=levels,
                    duration=duration,
                    smoke=args.smoke,
                    tool=args.loadgen,
                    rounds=args.rounds or size["rounds"],
                )
            finally:
                server.send_signal(signal.SIGTERM)
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()
    finally:
        if args.database_url:
            pg_drop(args.database_url)

    for row in rows:
        row["queries"] = data["queries"].get(row["page"])
        row["render_queries"] = data["render_queries"].get(row["page"])
        row["server_ms"] = data["timings"].get(row["page"])
    print_table(rows, tool=rows[0].get("tool", "?") if rows else "?")
    base_ms = data["timings"]["baseline (50 communes)"]
    print("\nOne request at a time, in process (test client, median of 31):")
    for name, ms in data["timings"].items():
        print(f"  {name:<28} {ms:8.2f} ms  {base_ms / ms:5.2f}× the baseline's speed")
    print("The same pages on their first view after a write (rendered, not from the cache):")
    for name, ms in data["render_timings"].items():
        print(
            f"  {name:<28} {ms:8.2f} ms  {base_ms / ms:5.2f}× the baseline's speed  "
            f"{data['render_queries'][name]} queries"
        )
    print(f"Load average before the run: {load_before[0]:.2f} on {os.cpu_count()} CPUs")
    out = BENCH_DIR / f"journeys-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    config = {
        **shape,
        "assignments": ASSIGNMENTS,
        "database": database,
        "duration_s": duration,
        "rounds": args.rounds or size["rounds"],
        "connections": levels,
        "cohort": slug,
        "rows_built": data["rows"],
        "build_seconds": data["seconds"],
        "consistency": data["consistency"],
        "queries": data["queries"],
        "server_ms": data["timings"],
        "render_queries": data["render_queries"],
        "render_server_ms": data["render_timings"],
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "server": "alliances serve",
    }
    out.write_text(json.dumps({"config": config, "rows": rows}, indent=2))
    print(f"\nWritten to {out.relative_to(ROOT)} ({time.perf_counter() - started:.0f} s in all)")
    return 0


def measure(
    base: str,
    targets: list[tuple[str, list[str], dict[str, str]]],
    *,
    levels: list[int],
    duration: float,
    smoke: bool,
    tool: str,
    rounds: int = 1,
) -> list[dict]:
    statuses = {}
    for name, paths, headers in targets:
        statuses[name] = status_with(base + paths[0], headers)
        if 200 <= statuses[name] < 300:  # let every worker load its templates and code
            loadgen.run(
                base,
                paths,
                connections=levels[0],
                seconds=0.5 if smoke else 2,
                tool=tool,
                headers=headers,
            )
    rows = []
    for connections in levels:
        # Rounds in rotation (baseline, pages, baseline, pages…): a shared machine's load
        # changes over a run, and a page measured only after the baseline would pay for it.
        # Each round's ratio is to that round's baselines; the row gives the medians.
        runs: dict[str, list] = {name: [] for name, _, _ in targets}
        for _ in range(rounds):
            for name, paths, headers in targets:
                if 200 <= statuses[name] < 300:
                    runs[name].append(
                        loadgen.run(
                            base,
                            paths,
                            connections=connections,
                            seconds=duration / rounds,
                            tool=tool,
                            headers=headers,
                        )
                    )
        baseline_name = targets[0][0]
        signed_in_name = next((name for name, _, headers in targets if headers), None)
        for name, paths, headers in targets:
            row: dict = {
                "page": name,
                "path": paths[0],
                "connections": connections,
                "signed_in": bool(headers),
            }
            if not 200 <= statuses[name] < 300:  # a page that fails is a row, not a crash
                rows.append({**row, "status": statuses[name]})
                continue
            results = runs[name]
            ratios = [r.rps / b.rps for r, b in zip(results, runs[baseline_name], strict=True)]
            signed_in = (
                [r.rps / b.rps for r, b in zip(results, runs[signed_in_name], strict=True)]
                if signed_in_name
                else []
            )
            rows.append(
                {
                    **row,
                    "status": statuses[name],
                    "rounds": rounds,
                    "requests": sum(r.requests for r in results),
                    "rps": round(statistics.median(r.rps for r in results), 1),
                    "p50_ms": round(statistics.median(r.p50_ms for r in results), 1),
                    "p99_ms": round(statistics.median(r.p99_ms for r in results), 1),
                    "errors": sum(r.errors for r in results),
                    "ratio": round(statistics.median(ratios), 2),
                    "ratio_signed_in": round(statistics.median(signed_in), 2)
                    if signed_in
                    else None,
                    "tool": results[0].tool,
                }
            )
    return rows


def status_with(url: str, headers: dict[str, str]) -> int:
    """The status of a GET without following redirects (a 302 to the login page is a 302)."""
    import urllib.error
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 (our http://)
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
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
        "goal",
    )
    lines = [header]
    for row in rows:
        queries = "" if row.get("queries") is None else str(row["queries"])
        if row.get("render_queries") is not None:
            queries += f" / {row['render_queries']}"
        if "rps" not in row:
            lines.append(
                (
                    row["page"],
                    str(row["connections"]),
                    f"HTTP {row['status']}",
                    "",
                    "",
                    "",
                    "",
                    "",
                    queries,
                    "",
                )
            )
            continue
        goal = ""
        if row["page"].startswith(("cohort space", "console")):
            rendered = row.get("render_queries") or 0
            met = (
                row["ratio"] >= GOAL_RATIO
                and (row.get("queries") or 0) <= GOAL_QUERIES
                and rendered <= GOAL_QUERIES
            )
            goal = "met" if met else "missed"
        lines.append(
            (
                row["page"],
                str(row["connections"]),
                f"{row['rps']:.0f}",
                f"{row['p50_ms']:.1f}",
                f"{row['p99_ms']:.1f}",
                f"{row['ratio']:.2f}",
                "" if row["ratio_signed_in"] is None else f"{row['ratio_signed_in']:.2f}",
                str(row["errors"]),
                queries,
                goal,
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
    print(
        f"Goal: cohort space and console ≥ {GOAL_RATIO:.1f}× the baseline's req/s "
        f"(anonymous, first row) and ≤ {GOAL_QUERIES} SQL queries; × signed-in: the ratio "
        "to the same baseline page requested with the session cookie. Queries: a steady "
        "page (from the per-person cache) / its first view after a write (rendered)."
    )


# -- PostgreSQL: a database of the bench's own ------------------------------------------------


def _pg_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _pg_admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(_pg_url(url, "postgres"), autocommit=True) as connection:
        connection.execute(statement)


def pg_create(url: str, name: str = PG_BENCH_DB) -> str:
    """A fresh database `name` on the server of `url` (dropped first); its URL."""
    _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(url, f'CREATE DATABASE "{name}"')
    return _pg_url(url, name)


def pg_drop(url: str, name: str = PG_BENCH_DB) -> None:
    _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- the data, built in a child process configured for the bench's database ----------------

FIRST_NAMES = [
    "Camille",
    "Dominique",
    "Claude",
    "Sacha",
    "Alix",
    "Morgan",
    "Louise",
    "Jules",
    "Nora",
    "Yanis",
    "Inès",
    "Hugo",
    "Léa",
    "Malik",
    "Zoé",
    "Bastien",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Moreau",
    "Laurent",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guerin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
]
PLACES = [
    "Salle du conseil",
    "Tiers-lieu La Fabrique",
    "Maison des associations",
    "Médiathèque",
    "Salle polyvalente",
]


def populate(shape: dict) -> dict:
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from alliances.accounts.models import User
    from alliances.journeys import models as m
    from alliances.journeys.pagecache import cohort_pages_changed
    from alliances.journeys.services import paris_datetime

    started = time.perf_counter()
    # Migrations, and communes for the baseline page (a few actors: populate wants some).
    pages.populate(2000, 200)
    rng = random.Random(2018)
    n_cohorts, n_part, n_sessions = shape["cohorts"], shape["participants"], shape["sessions"]
    programme = m.Programme.objects.get(slug="parcours-co-construction")
    templates = list(programme.phases.order_by("position"))
    span = max(p.start_offset_days + p.duration_days for p in templates)  # days
    session_kinds = list(m.StepKind.objects.filter(category=m.StepCategory.SESSION))
    work_kinds = list(m.StepKind.objects.filter(category=m.StepCategory.WORK))
    today = timezone.localdate()
    now = timezone.now()
    hashed = make_password(None)  # unusable: the bench signs in server-side
    rows: dict[str, int] = {}

    with transaction.atomic():
        # One animateur per 10 cohorts, one intervenant per cohort, 30 participants each.
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
                email=f"intervenant{c}@bench.example",
                display_name=f"Intervenant {c}",
                role=User.Role.PARTICIPANT,
                password=hashed,
            )
            for c in range(n_cohorts)
        ]
        users += [
            User(
                email=f"p{c}-{i}@bench.example",
                password=hashed,
                role=User.Role.PARTICIPANT,
                display_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {c}-{i}",
            )
            for c in range(n_cohorts)
            for i in range(n_part)
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

        # Cohorts: starts spread over the last ~10 months, so some are just beginning,
        # most are under way and some have finished; all start on a Monday.
        cohorts = []
        for c in range(n_cohorts):
            days_ago = 7 * rng.randint(0, 44) if c else 7 * (span // 14)  # cohort 0: midway
            start = today - timezone.timedelta(days=days_ago + today.weekday())
            end = start + timezone.timedelta(days=span - 1)
            status = m.CohortStatus.TERMINE if end < today else m.CohortStatus.EN_COURS
            cohorts.append(
                m.Cohort(
                    programme=programme,
                    name=f"Promotion banc {c:03d}",
                    slug=f"banc-{c:03d}",
                    start=start,
                    end=end,
                    status=status,
                    visibility=m.CohortVisibility.PUBLIC
                    if c % 5 == 4
                    else m.CohortVisibility.PRIVATE,
                )
            )
        m.Cohort.objects.bulk_create(cohorts)
        cohorts = list(m.Cohort.objects.filter(slug__startswith="banc-").order_by("slug"))
        rows["cohorts"] = len(cohorts)

        phases = [
            m.CohortPhase(
                cohort=cohort,
                position=t.position,
                name=t.name,
                start=cohort.start + timezone.timedelta(days=t.start_offset_days),
                end=cohort.start
                + timezone.timedelta(days=t.start_offset_days + t.duration_days - 1),
            )
            for cohort in cohorts
            for t in templates
        ]
        m.CohortPhase.objects.bulk_create(phases, batch_size=2000)
        phases_of: dict[int, list] = {}
        for phase in m.CohortPhase.objects.filter(cohort__in=cohorts).order_by("position"):
            phases_of.setdefault(phase.cohort_id, []).append(phase)
        rows["phases"] = sum(len(v) for v in phases_of.values())

        def phase_on(cohort, day):
            return next(
                (p for p in phases_of[cohort.pk] if p.start <= day <= p.end),
                phases_of[cohort.pk][-1],
            )

        territories = [
            m.PilotTerritory(cohort=cohort, name=f"Territoire {t + 1}")
            for cohort in cohorts
            for t in range((n_part + 1) // 2)
        ]
        m.PilotTerritory.objects.bulk_create(territories, batch_size=2000)
        territories_of: dict[int, list[int]] = {}
        for cohort_id, pk in (
            m.PilotTerritory.objects.filter(cohort__in=cohorts)
            .order_by("pk")
            .values_list("cohort_id", "pk")
        ):
            territories_of.setdefault(cohort_id, []).append(pk)
        rows["pilot territories"] = len(territories)

        members = []
        participants_of: dict[int, list[int]] = {}
        animateur_of: dict[int, int] = {}
        for c, cohort in enumerate(cohorts):
            animateur_of[cohort.pk] = by_email[f"animateur{c % n_anim}@bench.example"]
            members.append(
                m.CohortMember(
                    cohort=cohort, user_id=animateur_of[cohort.pk], role=m.CohortRole.ANIMATEUR
                )
            )
            members.append(
                m.CohortMember(
                    cohort=cohort,
                    role=m.CohortRole.INTERVENANT,
                    user_id=by_email[f"intervenant{c}@bench.example"],
                )
            )
            ids = [by_email[f"p{c}-{i}@bench.example"] for i in range(n_part)]
            participants_of[cohort.pk] = ids
            members += [
                m.CohortMember(
                    cohort=cohort,
                    user_id=uid,
                    role=m.CohortRole.PARTICIPANT,
                    pilot_territory_id=territories_of[cohort.pk][i // 2],
                )
                for i, uid in enumerate(ids)
            ]
        m.CohortMember.objects.bulk_create(members, batch_size=2000)
        rows["members"] = len(members)

        # Sessions: evenly over the cohort (about weekly), weekdays, in its phases.
        sessions = []
        for cohort in cohorts:
            for s in range(n_sessions):
                day = cohort.start + timezone.timedelta(days=3 + s * (span - 7) // n_sessions)
                day -= timezone.timedelta(days=max(0, day.weekday() - 4))  # no weekend
                begins = paris_datetime(day, datetime_time(9 + (s % 3) * 2, 30))
                kind = session_kinds[s % len(session_kinds)]
                mode = ["presentiel", "distanciel", "hybride"][s % 3]
                sessions.append(
                    m.Session(
                        cohort=cohort,
                        phase=phase_on(cohort, day),
                        kind=kind,
                        mode=mode,
                        title=f"{kind.name} — séance {s + 1}",
                        agenda="Ordre du jour du banc.",
                        place=PLACES[s % len(PLACES)] if mode != "distanciel" else "",
                        link="https://visio.example.org/banc" if mode != "presentiel" else "",
                        start=begins,
                        end=begins + timezone.timedelta(minutes=90),
                        capacity=n_part + 10 if s % 4 == 0 else None,
                    )
                )
        m.Session.objects.bulk_create(sessions, batch_size=2000)
        session_rows = list(
            m.Session.objects.filter(cohort__in=cohorts).values_list("pk", "cohort_id", "start")
        )
        rows["sessions"] = len(session_rows)

        # Registrations (~80 % of the participants, the animateur always) and, for the
        # sessions that have started, attendance of the participants and those registered.
        registrations, attendances = [], []
        for pk, cohort_id, begins in session_rows:
            registered = [uid for uid in participants_of[cohort_id] if rng.random() < 0.8]
            registered.append(animateur_of[cohort_id])
            registrations += [m.Registration(session_id=pk, user_id=uid) for uid in registered]
            if begins <= now:
                expected = set(participants_of[cohort_id]) | set(registered)
                attendances += [
                    m.Attendance(
                        session_id=pk,
                        user_id=uid,
                        present=rng.random() < 0.85,
                        recorded_by_id=animateur_of[cohort_id],
                    )
                    for uid in sorted(expected)
                ]
        m.Registration.objects.bulk_create(registrations, batch_size=5000)
        m.Attendance.objects.bulk_create(attendances, batch_size=5000)
        rows["registrations"], rows["attendances"] = len(registrations), len(attendances)

        # Six pieces of work, due across the cohort; submissions for those due or near.
        assignments = []
        for cohort in cohorts:
            for a in range(ASSIGNMENTS):
                due = cohort.start + timezone.timedelta(days=(a + 1) * (span - 1) // ASSIGNMENTS)
                kind = work_kinds[a % len(work_kinds)]
                assignments.append(
                    m.Assignment(
                        cohort=cohort,
                        phase=phase_on(cohort, due),
                        kind=kind,
                        due=due,
                        title=f"{kind.name} {a + 1}",
                        instructions="Consignes du banc.",
                    )
                )
        m.Assignment.objects.bulk_create(assignments, batch_size=2000)
        submissions = []
        for pk, cohort_id, due in m.Assignment.objects.filter(cohort__in=cohorts).values_list(
            "pk", "cohort_id", "due"
        ):
            if due > today + timezone.timedelta(days=14):
                continue
            for uid in participants_of[cohort_id]:
                draw = rng.random()
                if draw < 0.15:
                    continue  # nothing yet
                status = (
                    m.SubmissionStatus.A_FAIRE
                    if draw < 0.3
                    else m.SubmissionStatus.RENDU
                    if draw < 0.7
                    else m.SubmissionStatus.VALIDE
                )
                submissions.append(
                    m.Submission(
                        assignment_id=pk,
                        user_id=uid,
                        text="Mon travail pour le banc.",
                        status=status,
                        feedback="Bien vu." if status == "valide" else "",
                        submitted_at=None if status == "a_faire" else now,
                    )
                )
        m.Submission.objects.bulk_create(submissions, batch_size=5000)
        rows["submissions"] = len(submissions)

    consistency = check_consistency(cohorts[0])
    built_seconds = time.perf_counter() - started

    # The users the bench signs in as, with real database sessions, and each page's
    # queries, fetched once with the test client.
    cohort = cohorts[0]
    participant = User.objects.get(pk=participants_of[cohort.pk][0])
    animateur = User.objects.get(pk=animateur_of[cohort.pk])
    cookies, queries, timings = {}, {}, {}
    render_queries, render_timings = {}, {}
    for who, user in (("participant", participant), ("animateur", animateur)):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        pages_of = [("baseline, signed in", "/bench/baseline/")] if who == "participant" else []
        pages_of.append((f"cohort space ({who})", f"/parcours/{cohort.slug}/"))
        if who == "animateur":
            pages_of.append(("console (animateur)", f"/parcours/{cohort.slug}/animation/"))
        for name, path in pages_of:
            # Warm twice: the first answer sets the CSRF cookie, the second is stored in
            # the cohort page cache (journeys.pagecache); the counts are of a steady page.
            client.get(path)
            client.get(path)
            with CaptureQueriesContext(connection_of()) as captured:
                response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path} as {who}: HTTP {response.status_code}")
            queries[name] = len(captured.captured_queries)
            timings[name] = median_ms(client, path)
            if path.startswith("/parcours/"):
                # The first view after a write: the whole page is rendered again.
                cohort_pages_changed(cohort.pk)
                with CaptureQueriesContext(connection_of()) as captured:
                    client.get(path)
                render_queries[name] = len(captured.captured_queries)
                render_timings[name] = median_ms(
                    client, path, before=lambda: cohort_pages_changed(cohort.pk)
                )
        # The cookies a browser would send by now: the session's and the CSRF token's.
        cookies[who] = "; ".join(f"{name}={c.value}" for name, c in client.cookies.items())
    anonymous = Client(HTTP_HOST="127.0.0.1")
    anonymous.get("/bench/baseline/")
    with CaptureQueriesContext(connection_of()) as captured:
        anonymous.get("/bench/baseline/")
    queries["baseline (50 communes)"] = len(captured.captured_queries)
    timings["baseline (50 communes)"] = median_ms(anonymous, "/bench/baseline/")
    return {
        "slug": cohort.slug,
        "rows": rows,
        "seconds": round(built_seconds, 1),
        "consistency": consistency,
        "cookies": cookies,
        "queries": queries,
        "timings": timings,
        "render_queries": render_queries,
        "render_timings": render_timings,
    }


def median_ms(client, path: str, n: int = 31, before=None) -> float:
    """One process, one request at a time: the page's own cost, steadier than req/s on a
    busy machine (other work slows every page of a load run, not each the same)."""
    times = []
    for _ in range(n):
        if before is not None:
            before()
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    return round(sorted(times)[n // 2], 2)


def datetime_time(hour: int, minute: int):
    import datetime

    return datetime.time(hour, minute)


def connection_of():
    from django.db import connection

    return connection


def check_consistency(cohort) -> str:
    """What the services would have refused, looked for in the bulk-made data."""
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    from alliances.journeys import models as m
    from alliances.journeys.services import PARIS, cohort_create_from_programme

    problems = []
    # The phases are those the service computes for the same programme and start.
    with transaction.atomic():
        reference = cohort_create_from_programme(
            programme=cohort.programme, name="Référence", start=cohort.start, created_by=None
        )
        expected = list(reference.phases.values_list("position", "name", "start", "end"))
        if reference.end != cohort.end:
            problems.append(f"cohort end {cohort.end} ≠ {reference.end}")
        transaction.set_rollback(True)
    if list(cohort.phases.values_list("position", "name", "start", "end")) != expected:
        problems.append("phases differ from cohort_create_from_programme's")
    bench = m.Cohort.objects.filter(slug__startswith="banc-")
    sessions = m.Session.objects.filter(cohort__in=bench)
    for session in sessions.select_related("cohort", "phase").iterator(chunk_size=2000):
        day = timezone.localdate(session.start, PARIS)
        if not session.cohort.start <= day <= session.cohort.end:
            problems.append(f"session {session.pk} outside its cohort")
        if session.phase and not session.phase.start <= day <= session.phase.end:
            problems.append(f"session {session.pk} outside its phase")
    if m.Assignment.objects.filter(cohort__in=bench, due__gt=F("cohort__end")).exists():
        problems.append("work due after the cohort's end")
    registering = list(m.REGISTERING_ROLES)
    strangers = m.Registration.objects.filter(session__cohort__in=bench).exclude(
        user__cohort_memberships__cohort=F("session__cohort"),
        user__cohort_memberships__role__in=registering,
    )
    if strangers.exists():
        problems.append("registrations by non-members")
    if m.Attendance.objects.filter(
        session__in=sessions, session__start__gt=timezone.now()
    ).exists():
        problems.append("attendance for sessions not yet started")
    if (
        m.Submission.objects.exclude(status=m.SubmissionStatus.A_FAIRE)
        .filter(submitted_at__isnull=True)
        .exists()
    ):
        problems.append("handed-in work without a date")
    for model in (
        m.Cohort,
        m.CohortPhase,
        m.CohortMember,
        m.Session,
        m.Registration,
        m.Attendance,
        m.Assignment,
        m.Submission,
    ):
        for obj in model.objects.order_by("?")[:20]:
            try:
                obj.full_clean()
            except Exception as error:  # noqa: BLE001 (reported, not raised)
                problems.append(f"{model.__name__} {obj.pk}: {error}")
    return "ok" if not problems else "; ".join(problems[:10])


if __name__ == "__main__" and sys.argv[1:2] == ["populate"]:
    print(json.dumps(populate(json.loads(sys.argv[2]))))
