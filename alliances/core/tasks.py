"""Background tasks (django.tasks): run by the worker `alliances serve` starts."""

from django.core.mail import send_mail
from django.tasks import task

from .retry import retried


@task
@retried()
def deliver_email(*, subject: str, body: str, recipients: list[str]) -> int:
    """Send a plain-text mail outside the request, so a slow SMTP server never delays a page.

    Services enqueue it from `transaction.on_commit`; returns the number of mails sent.
    An SMTP server that does not answer or refuses for now: retried later (core.retry).
    """
    return send_mail(subject, body, None, recipients)


@task
def prune_audit_log() -> int:
    """Delete the audit log's lines older than AUDIT_RETENTION_DAYS; the scheduler enqueues
    it daily. Returns the lines deleted."""
    from .audit import prune

    return prune()
