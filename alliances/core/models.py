from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PageGeneration(models.Model):
    """One row: the number every write bumps so that cached public pages are dropped.

    Kept in the database, not in a cache, so that every web worker and every server sees
    a write at once, in the same transaction as the write itself.
    """

    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.value)


class AuditAction(models.TextChoices):
    """What the audit log records: the acts that change who may do what, or what the
    public sees, and the account-level security events."""

    ADMIN_ADDITION = "admin_addition", _("Added in the admin")
    ADMIN_CHANGE = "admin_change", _("Changed in the admin")
    ADMIN_DELETION = "admin_deletion", _("Deleted in the admin")
    PLATFORM_ROLE = "platform_role", _("Platform role set")
    COHORT_ROLE = "cohort_role", _("Cohort role changed")
    ORGANISATION_ROLE = "organisation_role", _("Organisation role changed")
    RESOURCE_PUBLISHED = "resource_published", _("Resource published")
    RESOURCE_UNPUBLISHED = "resource_unpublished", _("Resource unpublished")
    WAVE_PUBLISHED = "wave_published", _("Survey wave published")
    WAVE_WITHDRAWN = "wave_withdrawn", _("Survey wave withdrawn")
    ALLIANCE_PUBLIC = "alliance_public", _("Alliance made public")
    LOGIN_LOCKOUT = "login_lockout", _("Sign-in locked after failed attempts")
    ACCOUNT_DELETED = "account_deleted", _("Account deleted")


class AuditEvent(models.Model):
    """One line of the audit log, written by `core.audit.record` inside the transaction of
    the act it records, so that an act and its line commit or roll back together.

    The actor and the target are also kept as text: a deleted account or object leaves its
    lines readable. `changes` holds a few field values, never a secret.
    """

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=300, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=AuditAction.choices,
                              db_index=True)
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("target type"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.target_label}"
