"""`alliances bench digest`: how long does the daily e-mail digest take for 6,000 people?

Builds a database of its own under var/bench/digest/ (the user's database is never opened):
6,000 people with about 5 notifications each, spread over a few cohorts, made in bulk.
Then runs `digest_send(frequency="daily")` once, timed, with real SMTP delivery to a sink
this script listens with on 127.0.0.1 (a few lines of stdlib sockets: it answers the SMTP
dialogue and counts the messages). Prints people, mails, seconds (wall clock, and the CPU time
of the digest's process: on a shared machine the first grows with the load, the second
does not), mails/s and the ratio to the 30 s budget; writes the same as JSON. A second
run checks the digest sends nothing twice.
"""

import argparse
import json
import os
import random
import socketserver
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench" / "digest"
FULL = {"people": 6_000, "per_person": 5}
SMOKE = {"people": 1_200, "per_person": 5}  # three batches: the workers run
BUDGET_S = 30.0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="alliances bench digest", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="small (CI)")
    parser.add_argument("--people", type=int)
    parser.add_argument("--per-person", type=int, help="notifications per person (mean)")
    parser.add_argument("--processes", type=int,
                        help="worker processes of the digest (default: as the scheduled "
                        "digest, DIGEST_PROCESSES)")
    parser.add_argument("--database-url", help="e.g. a PostgreSQL database of its own; "
                        "default: SQLite under var/bench/digest/ (emptied first)")
    args = parser.parse_args(argv)
    size = SMOKE if args.smoke else FULL
    people = args.people or size["people"]
    processes = args.processes or default_processes()
    per_person = args.per_person or size["per_person"]

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for stale in BENCH_DIR.glob("alliances.sqlite3*"):
        stale.unlink()
    sink = SmtpSink()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        ALLIANCES_VAR_DIR=str(BENCH_DIR), ALLIANCES_ENV="development", DEBUG="0",
        DJANGO_SETTINGS_MODULE="alliances.settings",
        EMAIL_URL=f"smtp://127.0.0.1:{sink.port}",
    )
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    load_before = os.getloadavg()
    print(f"Building {people:,} people with ~{per_person} notifications each in "
          f"{'DATABASE_URL' if args.database_url else BENCH_DIR} …", flush=True)
    started, sink_cpu = time.perf_counter(), time.process_time()
    try:
        run = subprocess.run(
            [sys.executable, "-m", "bench.digest", "run", str(people), str(per_person),
             str(processes)],
            env=env, cwd=ROOT, check=True, capture_output=True, text=True,
        )
    except subprocess.CalledProcessError as error:
        print(error.stdout, error.stderr, sep="\n", file=sys.stderr)
        return 1
    finally:
        sink.stop()
    sink_cpu = time.process_time() - sink_cpu  # this process only listened meanwhile
    data = json.loads(run.stdout.splitlines()[-1])
    seconds = data["seconds"]
    rows = [
        ("people", f"{data['people']:,}"),
        ("notifications", f"{data['notifications']:,}"),
        ("mails sent", f"{data['mails']:,}"),
        ("mails received by the SMTP sink", f"{sink.messages:,}"),
        ("SMTP connections", f"{sink.connections}"),
        ("worker processes", f"{processes}"),
        ("digest run", f"{seconds:.2f} s"),
        ("  CPU of the digest's main process", f"{data['cpu_seconds']:.2f} s"),
        ("  CPU of its worker processes", f"{data['children_cpu_seconds']:.2f} s"),
        ("  SMTP sink CPU (another process)", f"{sink_cpu:.2f} s"),
        ("mails/s", f"{data['mails'] / seconds:,.0f}" if seconds else "-"),
        ("ratio to the 30 s budget", f"{seconds / BUDGET_S:.2f} (≤ 1 is within budget)"),
        ("second run (idempotence)", f"{data['second_mails']} mails in "
                                     f"{data['second_seconds']:.2f} s"),
        ("database build", f"{data['build_seconds']:.1f} s"),
    ]
    width = max(len(name) for name, _value in rows)
    print(f"  built and run in {time.perf_counter() - started:.1f} s\n")
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")
    print(f"Load average before the run: {load_before[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"Database: {data['vendor']}; delivery: SMTP to a local sink on 127.0.0.1")
    ok = data["mails"] == data["people"] == sink.messages and data["second_mails"] == 0
    if not ok:
        print("MISMATCH: every person should get exactly one mail, once", file=sys.stderr)
    out = BENCH_DIR / f"digest-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    data.update(sink_messages=sink.messages, sink_cpu_seconds=sink_cpu,
                sink_connections=sink.connections,
                budget_s=BUDGET_S, ratio=seconds / BUDGET_S, cpus=os.cpu_count(),
                load_average_before=load_before, load_average_after=os.getloadavg())
    out.write_text(json.dumps(data, indent=2))
    print(f"\nWritten to {out.relative_to(ROOT)}")
    return 0 if ok else 1


# -- the SMTP sink: enough of RFC 5321 for smtplib, counting messages ----------------------


class SmtpSink:
    def __init__(self) -> None:
        sink = self
        self.messages = 0
        self.connections = 0
        self.lock = threading.Lock()

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                with sink.lock:
                    sink.connections += 1
                write = self.wfile.write
                write(b"220 sink ESMTP\r\n")
                while line := self.rfile.readline():
                    verb = line[:4].upper()
                    if verb == b"EHLO":
                        write(b"250-sink\r\n250 8BITMIME\r\n")
                    elif verb == b"DATA":
                        write(b"354 go on\r\n")
                        # The client waits for our reply: nothing follows the final dot.
                        data = b""
                        while not data.endswith(b"\r\n.\r\n") and (more := self.rfile.read1()):
                            data = data[-4:] + more
                        with sink.lock:
                            sink.messages += 1
                        write(b"250 queued\r\n")
                    elif verb == b"QUIT":
                        write(b"221 bye\r\n")
                        return
                    else:  # HELO, MAIL, RCPT, RSET, NOOP
                        write(b"250 ok\r\n")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- the database and the run, in a child process configured for var/bench/digest/ ---------

TITLES = [
    "{name} a répondu dans « {topic} »",
    "{name} vous a mentionné dans « {topic} »",
    "Nouveau fil « {topic} »",
    "Rappel : « Atelier {topic} » demain à 09:30",
    "Nouvelle séance de co-développement : {topic}",
]
COHORT_PREFIX = "Promotion du banc d'essai "
KINDS = ["reply", "mention", "thread", "reminder_session", "codev"]
NAMES = ["Ana", "Bruno", "Chloé", "David", "Émilie", "Farid", "Gaëlle", "Hugo", "Inès"]
TOPICS = ["Budget", "Calendrier", "Diagnostic partagé", "Gouvernance", "Mobilité",
          "Trajectoire", "Bilan de phase", "Cible prioritaire"]


def default_processes() -> int:
    sys.path.insert(0, str(ROOT))
    from alliances.notifications.delivery import DIGEST_PROCESSES

    return DIGEST_PROCESSES


def run(n_people: int, per_person: int, processes: int) -> dict:
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from alliances.accounts.models import User
    from alliances.journeys.models import Cohort, Programme
    from alliances.journeys.services import cohort_create_from_programme
    from alliances.notifications.models import Notification
    from alliances.notifications.services import digest_send

    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    started = time.perf_counter()
    with transaction.atomic():
        # A database given with --database-url is reused: what an earlier run made goes.
        User.objects.filter(email__endswith="@bench.example").delete()
        Cohort.objects.filter(name__startswith=COHORT_PREFIX).delete()
        programme = Programme.objects.first()
        cohorts = [
            cohort_create_from_programme(
                programme=programme, name=f"{COHORT_PREFIX}{n}", start=date(2027, 1, 4),
                created_by=None,
            )
            for n in range(1, 9)
        ] if programme else []
        password = make_password(None)
        User.objects.bulk_create(
            (User(email=f"personne{n}@bench.example", display_name=f"Personne {n}",
                  password=password) for n in range(n_people)),
            batch_size=2000,
        )
        user_ids = list(User.objects.filter(email__endswith="@bench.example")
                        .values_list("pk", flat=True))
        now = timezone.now()
        notifications = []
        for user_id in user_ids:
            home = rng.choice(cohorts) if cohorts else None
            for _n in range(max(1, per_person + rng.randint(-2, 2))):
                k = rng.randrange(len(KINDS))
                title = TITLES[k].format(name=rng.choice(NAMES), topic=rng.choice(TOPICS))
                notifications.append(Notification(
                    recipient_id=user_id, kind=KINDS[k], title=title,
                    url=f"/parcours/{home.slug if home else 'x'}/#n{rng.randint(1, 999)}",
                    cohort=home if rng.random() < 0.85 else None, created_at=now,
                ))
        Notification.objects.bulk_create(notifications, batch_size=5000)
    build = time.perf_counter() - started

    started, cpu = time.perf_counter(), time.process_time()
    children = os.times()
    mails = digest_send(frequency="daily", now=timezone.now(), processes=processes)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = os.times()
    children_cpu = (after.children_user - children.children_user
                    + after.children_system - children.children_system)
    started = time.perf_counter()
    second = digest_send(frequency="daily", now=timezone.now())
    second_seconds = time.perf_counter() - started
    return {
        "people": len(user_ids), "notifications": len(notifications), "mails": mails,
        "seconds": seconds, "cpu_seconds": cpu, "children_cpu_seconds": children_cpu,
        "processes": processes,
        "second_mails": second, "second_seconds": second_seconds,
        "build_seconds": build, "vendor": connection.vendor,
    }


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "run":
        print(json.dumps(run(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))))
    else:
        raise SystemExit("usage: python -m bench.digest run PEOPLE PER_PERSON PROCESSES")
