"""Discussion threads of a cohort and of its pilot territories.

A thread belongs to a cohort; with a pilot territory it is that territory's team's own
(plus the cohort's animateurs), without one it is the whole cohort's. Discussions are
never public, whatever the cohort's visibility. A post's Markdown is rendered and
sanitised once, when it is written (services.py), and shown as stored.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from alliances.journeys.models import Cohort, PilotTerritory

TITLE_MAX_CHARS = 200
BODY_MAX_CHARS = 20_000
MAX_ATTACHMENTS = 3
EDIT_WINDOW_HOURS = 24


class ThreadQuerySet(models.QuerySet):
    def of_cohort(self, cohort: Cohort) -> "ThreadQuerySet":
        return self.filter(cohort=cohort, pilot_territory__isnull=True)

    def of_territory(self, territory: PilotTerritory) -> "ThreadQuerySet":
        return self.filter(cohort_id=territory.cohort_id, pilot_territory=territory)

    def latest_first(self) -> "ThreadQuerySet":
        return self.order_by("-pinned", "-last_post_at", "-pk")


class Thread(models.Model):
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="threads", verbose_name=_("cohort")
    )
    # Null: a thread of the whole cohort.
    pilot_territory = models.ForeignKey(
        PilotTerritory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="threads",
        verbose_name=_("pilot territory"),
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_CHARS)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created at"))
    # Denormalised from the posts, for ordering the lists and the unread markers.
    last_post_at = models.DateTimeField(_("last post at"))
    pinned = models.BooleanField(_("pinned"), default=False)
    locked = models.BooleanField(_("locked"), default=False)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        ordering = ["-pinned", "-last_post_at", "-pk"]
        verbose_name = _("discussion thread")
        verbose_name_plural = _("discussion threads")
        indexes = [
            models.Index(
                fields=["cohort", "pilot_territory", "-last_post_at"], name="thread_cohort_last"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Post(models.Model):
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="posts", verbose_name=_("thread")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("message"), max_length=BODY_MAX_CHARS)
    # Rendered from `body` by the services and sanitised by nh3: safe to show as is.
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(_("created at"))
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["thread", "created_at", "pk"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [models.Index(fields=["thread", "created_at"], name="post_thread_created")]

    def __str__(self) -> str:
        return f"{self.thread} #{self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


def _attachment_path(instance: "Attachment", filename: str) -> str:
    # A random directory: names never collide and are never guessable. Files are served by
    # a permission-checked view, never straight from MEDIA_URL.
    return f"discussions/{secrets.token_urlsafe(16)}/{filename}"


class Attachment(models.Model):
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("post")
    )
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        ordering = ["post", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class Follow(models.Model):
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="follows", verbose_name=_("thread")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="thread_follows",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="follow_unique"),
        ]
        indexes = [models.Index(fields=["user", "thread"], name="follow_user")]

    def __str__(self) -> str:
        return f"{self.user} → {self.thread}"


class ThreadRead(models.Model):
    """When a person last opened a thread: the threads with a later post are unread."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        verbose_name = _("read marker")
        verbose_name_plural = _("read markers")
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="threadread_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ✓ {self.thread}"
