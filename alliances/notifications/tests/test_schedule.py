"""The scheduler's decisions (pure, frozen clocks), its database memory, the commands."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from alliances.core.management.commands import serve
from alliances.notifications import schedule
from alliances.notifications.models import Notification, NotificationKind, ScheduledRun
from alliances.notifications.schedule import (
    daily_slot,
    due_jobs,
    first_seen_jobs,
    hourly_slot,
    scheduler_tick,
    weekly_slot,
)
from alliances.notifications.services import notify

PARIS = ZoneInfo("Europe/Paris")


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def _names(due) -> set[str]:
    return {name for name, _slot in due}


def test_the_first_start_runs_reminders_and_mails_but_waits_for_the_digests_slots():
    now = paris(2027, 3, 3, 15, 12)
    assert _names(due_jobs(last_runs={}, now=now)) == {"reminders", "immediate"}
    assert dict(first_seen_jobs(last_runs={}, now=now)) == {
        "digest_daily": paris(2027, 3, 3, 7, 0),
        "digest_weekly": paris(2027, 3, 1, 7, 0),
        "audit_prune": paris(2027, 3, 3, 7, 0),
    }
    # Noted at 15:12 on Wednesday: the daily digest goes out on Thursday at 07:00.
    last = dict(first_seen_jobs(last_runs={}, now=now))
    assert "digest_daily" not in _names(due_jobs(last_runs=last, now=paris(2027, 3, 4, 6, 59)))
    assert "digest_daily" in _names(due_jobs(last_runs=last, now=paris(2027, 3, 4, 7, 0)))


def _all_ran(now: datetime.datetime) -> dict[str, datetime.datetime]:
    return {job.name: job.slot(now) for job in schedule.JOBS}


def test_after_a_run_nothing_is_due_until_the_next_slot():
    now = paris(2027, 3, 3, 15, 12)  # a Wednesday
    last = _all_ran(now)
    assert due_jobs(last_runs=last, now=now + datetime.timedelta(minutes=2)) == []
    later = due_jobs(last_runs=last, now=paris(2027, 3, 3, 15, 15))
    assert _names(later) == {"immediate"}
    assert _names(due_jobs(last_runs=last, now=paris(2027, 3, 3, 16, 0))) == {
        "immediate", "reminders"
    }


def test_the_daily_digest_is_due_at_seven_paris_time():
    last = {"digest_daily": paris(2027, 3, 3, 7, 0)}
    assert "digest_daily" not in _names(due_jobs(last_runs=last, now=paris(2027, 3, 4, 6, 59)))
    due = dict(due_jobs(last_runs=last, now=paris(2027, 3, 4, 7, 0)))
    assert due["digest_daily"] == paris(2027, 3, 4, 7, 0)


def test_the_weekly_digest_is_due_on_monday_at_seven():
    last = {"digest_weekly": paris(2027, 3, 1, 7, 0)}  # a Monday
    for day in range(2, 8):  # Tuesday to Sunday
        assert "digest_weekly" not in _names(
            due_jobs(last_runs=last, now=paris(2027, 3, day, 23, 0))
        )
    assert "digest_weekly" not in _names(due_jobs(last_runs=last, now=paris(2027, 3, 8, 6, 59)))
    assert dict(due_jobs(last_runs=last, now=paris(2027, 3, 8, 7, 0)))["digest_weekly"] == paris(
        2027, 3, 8, 7, 0
    )


def test_slots_across_the_time_changes():
    # Summer time begins on 28 March 2027: 07:00 is still 07:00 in Paris (05:00 UTC).
    assert daily_slot(paris(2027, 3, 28, 8, 0)) == paris(2027, 3, 28, 7, 0)
    assert daily_slot(paris(2027, 3, 28, 8, 0)).astimezone(datetime.UTC).hour == 5
    assert daily_slot(paris(2027, 3, 27, 8, 0)).astimezone(datetime.UTC).hour == 6
    # Before 07:00, yesterday's slot; across the winter change too.
    assert daily_slot(paris(2027, 11, 1, 6, 59)) == paris(2027, 10, 31, 7, 0)
    assert weekly_slot(paris(2027, 11, 1, 6, 59)) == paris(2027, 10, 25, 7, 0)
    # The hour that happens twice on 31 October makes two hourly slots.
    first = datetime.datetime(2027, 10, 31, 0, 30, tzinfo=datetime.UTC)  # 02:30 CEST
    second = datetime.datetime(2027, 10, 31, 1, 30, tzinfo=datetime.UTC)  # 02:30 CET
    assert hourly_slot(first) < hourly_slot(second)


def test_a_restart_after_a_stop_across_seven_runs_the_digest_once():
    last = {"digest_daily": paris(2027, 3, 1, 7, 0)}
    # Down from Monday evening to Thursday noon: one catch-up run, for Thursday's slot.
    due = dict(due_jobs(last_runs=last, now=paris(2027, 3, 4, 12, 0)))
    assert due["digest_daily"] == paris(2027, 3, 4, 7, 0)
    assert "digest_daily" not in _names(
        due_jobs(last_runs={"digest_daily": due["digest_daily"]}, now=paris(2027, 3, 4, 12, 1))
    )


@pytest.mark.django_db
def test_the_tick_remembers_in_the_database(django_capture_on_commit_callbacks, monkeypatch):
    enqueued: list[str] = []
    monkeypatch.setattr(schedule, "_enqueue", enqueued.append)
    now = paris(2027, 3, 3, 15, 12)

    with django_capture_on_commit_callbacks(execute=True):
        assert set(scheduler_tick(now=now)) == {"reminders", "immediate"}
    assert set(enqueued) == {"reminders", "immediate"}
    assert ScheduledRun.objects.count() == 5  # one row per job
    assert ScheduledRun.objects.get(job="digest_daily").last_slot == paris(2027, 3, 3, 7, 0)

    # A restart one minute later: nothing repeats.
    with django_capture_on_commit_callbacks(execute=True):
        assert scheduler_tick(now=now + datetime.timedelta(minutes=1)) == []
    assert len(enqueued) == 2

    # Stopped overnight, restarted at 08:10: the missed digest and the rest, once each.
    morning = paris(2027, 3, 4, 8, 10)
    with django_capture_on_commit_callbacks(execute=True):
        assert set(scheduler_tick(now=morning)) == {"reminders", "immediate", "digest_daily",
                                                  "audit_prune"}
        assert scheduler_tick(now=morning) == []
    assert ScheduledRun.objects.get(job="digest_daily").last_slot == paris(2027, 3, 4, 7, 0)


@pytest.mark.django_db
def test_the_scheduler_command_enqueues_and_the_tasks_run(
    participant, immediate_tasks, django_capture_on_commit_callbacks
):
    notify(recipients=[participant], kind=NotificationKind.THREAD, title="Nouveau fil",
           url="/parcours/")
    # The scheduler ran the day before; this morning the daily digest is due.
    with (
        time_machine.travel(paris(2027, 3, 2, 12, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("scheduler", "--once", stdout=io.StringIO())
    assert mail.outbox == []
    out = io.StringIO()
    with (
        time_machine.travel(paris(2027, 3, 3, 7, 1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("scheduler", "--once", stdout=out)
    assert "digest_daily" in out.getvalue()
    assert ScheduledRun.objects.count() == 5  # one row per job
    # The daily digest ran (immediate backend): the participant has their mail.
    assert [m.to for m in mail.outbox] == [[participant.email]]
    assert Notification.objects.get().emailed_at is not None


@pytest.mark.django_db
def test_the_digest_command(participant, capsys):
    notify(recipients=[participant], kind=NotificationKind.REPLY, title="Réponse",
           url="/parcours/")
    call_command("digest", "--frequency", "daily")
    assert "1 mail" in capsys.readouterr().out
    assert len(mail.outbox) == 1
    with pytest.raises(CommandError):
        call_command("digest", "--frequency", "hourly")


# serve closes the connections before starting its children: inside a test transaction,
# PostgreSQL's would stay closed for the second call.
@pytest.mark.django_db(transaction=True)
def test_serve_runs_the_scheduler_beside_the_worker(monkeypatch):
    children: list[list[str]] = []
    monkeypatch.setattr(serve, "call_command", lambda name, **kw: None)

    def supervise(commands: list[list[str]]) -> int:
        children.extend(commands)
        return 0

    monkeypatch.setattr(serve, "supervise", supervise)

    call_command("serve", "--no-demo")
    assert children[-1][1:] == ["-m", "alliances", "scheduler"]

    children.clear()
    call_command("serve", "--no-demo", "--no-scheduler")
    assert all("scheduler" not in child for child in children)
    assert len(children) == 2
