"""When the periodic jobs run: a pure decision (given the last slot each job ran for and
now, which jobs are due) and the tick the `alliances scheduler` loop calls every minute.

A job's slot is the latest moment it was meant to run at or before now: the top of the
hour for the reminders, every 5 minutes for the immediate mails (a safety net behind the
task `notify` enqueues), 07:00 Europe/Paris for the daily digest, Monday 07:00 for the
weekly one (and the audit log's pruning, daily with the digest). A job is due when its
current slot is later than the last one it ran for. The
last slot is stored in the database, so a restart neither skips a run (after a stop across
07:00 the digest goes out at restart) nor repeats one; after a long stop each job runs
once, not once per missed slot.

The very first start (no row yet) runs the reminders and the immediate mails at once, but
only notes the digests' current slot: installing Alliances at 15:00 does not mail a
"daily" digest then; the first one goes out at the next 07:00 (Monday 07:00 for weekly).
"""

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from zoneinfo import ZoneInfo

from django.db import transaction

from .models import DigestFrequency, ScheduledRun

PARIS = ZoneInfo("Europe/Paris")
UTC = datetime.UTC
DIGEST_TIME = datetime.time(7, 0)


def _floor_utc(now: datetime.datetime, minutes: int) -> datetime.datetime:
    now = now.astimezone(UTC)
    minute = now.minute - now.minute % minutes if minutes < 60 else 0
    return now.replace(minute=minute, second=0, microsecond=0)


def hourly_slot(now: datetime.datetime) -> datetime.datetime:
    # Europe/Paris is a whole number of hours from UTC: the top of the hour is the same.
    return _floor_utc(now, 60)


def five_minutes_slot(now: datetime.datetime) -> datetime.datetime:
    return _floor_utc(now, 5)


def daily_slot(now: datetime.datetime) -> datetime.datetime:
    """07:00 Paris today, or yesterday before 07:00 (built from the date: DST-proof)."""
    day = now.astimezone(PARIS).date()
    slot = datetime.datetime.combine(day, DIGEST_TIME, tzinfo=PARIS)
    if slot > now:
        slot = datetime.datetime.combine(day - datetime.timedelta(days=1), DIGEST_TIME, PARIS)
    return slot


def weekly_slot(now: datetime.datetime) -> datetime.datetime:
    """The latest Monday 07:00 Paris at or before now."""
    day = now.astimezone(PARIS).date()
    monday = day - datetime.timedelta(days=day.weekday())
    slot = datetime.datetime.combine(monday, DIGEST_TIME, tzinfo=PARIS)
    if slot > now:
        slot = datetime.datetime.combine(monday - datetime.timedelta(days=7), DIGEST_TIME, PARIS)
    return slot


@dataclass(frozen=True)
class Job:
    name: str
    slot: Callable[[datetime.datetime], datetime.datetime]
    run_on_first_start: bool = True


JOBS: tuple[Job, ...] = (
    Job("reminders", hourly_slot),
    Job("immediate", five_minutes_slot),
    Job("digest_daily", daily_slot, run_on_first_start=False),
    Job("digest_weekly", weekly_slot, run_on_first_start=False),
    # The audit log's lines past AUDIT_RETENTION_DAYS, once a day (with the daily digest).
    Job("audit_prune", daily_slot, run_on_first_start=False),
)


def due_jobs(
    *, last_runs: Mapping[str, datetime.datetime | None], now: datetime.datetime
) -> list[tuple[str, datetime.datetime]]:
    """The jobs to run now, with the slot each runs for."""
    due = []
    for job in JOBS:
        slot = job.slot(now)
        last = last_runs.get(job.name)
        if (last is None and job.run_on_first_start) or (last is not None and last < slot):
            due.append((job.name, slot))
    return due


def first_seen_jobs(
    *, last_runs: Mapping[str, datetime.datetime | None], now: datetime.datetime
) -> list[tuple[str, datetime.datetime]]:
    """The jobs never seen that wait for their next slot: their current one is noted."""
    return [
        (job.name, job.slot(now))
        for job in JOBS
        if last_runs.get(job.name) is None and not job.run_on_first_start
    ]


def _enqueue(name: str) -> None:
    from .tasks import send_digest, send_immediate, send_reminders

    if name == "reminders":
        send_reminders.enqueue()
    elif name == "immediate":
        send_immediate.enqueue(user_ids=None)
    elif name == "digest_daily":
        send_digest.enqueue(frequency=DigestFrequency.DAILY.value)
    elif name == "digest_weekly":
        send_digest.enqueue(frequency=DigestFrequency.WEEKLY.value)
    elif name == "audit_prune":
        from alliances.core.tasks import prune_audit_log

        prune_audit_log.enqueue()
    else:  # pragma: no cover - JOBS and this switch go together
        raise ValueError(name)


@transaction.atomic
def scheduler_tick(*, now: datetime.datetime) -> list[str]:
    """Record and enqueue (on commit) the jobs due now; returns their names.

    The rows are locked: two schedulers by mistake still enqueue each run once.
    """
    runs = {run.job: run.last_slot for run in ScheduledRun.objects.select_for_update()}
    for name, slot in first_seen_jobs(last_runs=runs, now=now):
        ScheduledRun.objects.create(job=name, last_slot=slot, ran_at=now)
    due = due_jobs(last_runs=runs, now=now)
    for name, slot in due:
        ScheduledRun.objects.update_or_create(
            job=name, defaults={"last_slot": slot, "ran_at": now}
        )
        transaction.on_commit(partial(_enqueue, name))
    return [name for name, _slot in due]
