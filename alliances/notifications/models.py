"""On-site notifications, e-mail digests and scheduled reminders.

A notification is one line for one person ("Paul replied in « Budget »"), with a link to a
page of the site. People read them on `/notifications/` and receive the ones they have not
read yet by e-mail: immediately, in a daily or a weekly digest, or never (their
DigestPreference; daily when they never chose).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    MENTION = "mention", _("mention")
    REPLY = "reply", _("reply")
    THREAD = "thread", _("new discussion")
    REMINDER_SESSION = "reminder_session", _("session reminder")
    REMINDER_DUE = "reminder_due", _("due date reminder")
    INVITATION = "invitation", _("invitation")
    CODEV = "codev", _("co-développement")
    WORK_HANDED_IN = "work_handed_in", _("work handed in")
    WORK_REVIEWED = "work_reviewed", _("feedback on your work")
    RESOURCE_SUBMITTED = "resource_submitted", _("resource to review")
    RESOURCE_REVIEW = "resource_review", _("review of a resource")
    CONTACT_REQUEST = "contact_request", _("contact request")
    CONTACT_ANSWER = "contact_answer", _("answer to a contact request")


class DigestFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("immediately, one e-mail at a time")
    DAILY = "daily", _("once a day (7:00)")
    WEEKLY = "weekly", _("once a week (Monday, 7:00)")
    NEVER = "never", _("never: on the site only")


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)

    def for_user(self, user) -> "NotificationQuerySet":
        return self.filter(recipient=user)

    def pending_mail(self) -> "NotificationQuerySet":
        """Not e-mailed yet and not read on the site (reading it makes the mail useless)."""
        return self.filter(emailed_at__isnull=True, read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind)
    title = models.CharField(_("title"), max_length=300)
    # A path of the site ("/parcours/…"); digests make it absolute with SITE_URL.
    url = models.CharField(_("link"), max_length=500)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )
    cohort = models.ForeignKey(
        "journeys.Cohort", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("cohort"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient"),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["recipient"], condition=Q(emailed_at__isnull=True, read_at__isnull=True),
                name="notification_unemailed",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DigestPreference(models.Model):
    """How often one person wants their notifications by e-mail. No row: daily."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
        related_name="digest_preference", verbose_name=_("user"),
    )
    frequency = models.CharField(
        _("e-mail frequency"), max_length=10, choices=DigestFrequency,
        default=DigestFrequency.DAILY,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("digest preference")
        verbose_name_plural = _("digest preferences")
        indexes = [models.Index(fields=["frequency"], name="digestpreference_frequency")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.frequency}"


class ReminderSent(models.Model):
    """The log that makes a reminder go out once: one row per (kind, object, person)."""

    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind)
    object_id = models.PositiveBigIntegerField(_("object"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("user"),
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "user"], name="remindersent_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} → {self.user_id}"


class ScheduledRun(models.Model):
    """The scheduler's memory: the last slot each job ran for, so a restart neither skips
    nor repeats a run."""

    job = models.CharField(_("job"), max_length=40, primary_key=True)
    last_slot = models.DateTimeField(_("last slot"))
    ran_at = models.DateTimeField(_("ran at"), default=timezone.now)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")

    def __str__(self) -> str:
        return f"{self.job} @ {self.last_slot}"
