"""Background tasks of the notifications (django.tasks): run by the worker `alliances serve`
starts; the scheduler (`alliances scheduler`) enqueues the periodic ones.

All are retried after a passing error (core.retry): each is idempotent, what was mailed or
reminded being marked so, and the mails the SMTP server refused given back to the next run."""

from django.tasks import task
from django.utils import timezone

from alliances.core.retry import retried


@task
@retried()
def send_immediate(*, user_ids: list[int] | None = None) -> int:
    """Mail the pending notifications of people who chose immediate mails (all when None)."""
    from .services import immediate_send

    return immediate_send(user_ids=user_ids, now=timezone.now())


@task
@retried()
def send_digest(*, frequency: str) -> int:
    """The daily or weekly digest."""
    from .delivery import DIGEST_PROCESSES
    from .services import digest_send

    return digest_send(frequency=frequency, now=timezone.now(), processes=DIGEST_PROCESSES)


@task
@retried()
def send_reminders() -> int:
    """Reminders before sessions and due dates."""
    from .services import reminders_send

    return reminders_send(now=timezone.now())
