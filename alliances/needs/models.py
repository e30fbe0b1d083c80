"""Needs (besoins) posted by organisations, and the contact requests that answer them.

No e-mail address is shown to the other side before it accepts the request.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from alliances.actors.models import Fragility, Organisation


class HelpKind(models.TextChoices):
    COMPETENCES = "competences", _("skills")
    FINANCEMENT = "financement", _("funding")
    BENEVOLES = "benevoles", _("volunteers")
    LIEU = "lieu", _("premises")
    MATERIEL = "materiel", _("equipment")


class NeedStatus(models.TextChoices):
    OPEN = "ouvert", _("open")
    MET = "pourvu", _("met")
    CLOSED = "clos", pgettext_lazy("need status", "closed")


class NeedQuerySet(models.QuerySet):
    def open(self) -> "NeedQuerySet":
        return self.filter(status=NeedStatus.OPEN)

    def visible_to(self, user) -> "NeedQuerySet":
        """Needs of public organisations, plus those of the user's own organisations."""
        if getattr(user, "is_platform_admin", False):
            return self
        if not user.is_authenticated:
            return self.filter(organisation__is_public=True)
        return self.filter(
            Q(organisation__is_public=True) | Q(organisation__memberships__user=user)
        ).distinct()


class Need(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="needs",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind of help"), max_length=12, choices=HelpKind)
    fragility = models.ForeignKey(
        Fragility, on_delete=models.PROTECT, null=True, blank=True, related_name="needs",
        verbose_name=_("fragility"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=NeedStatus, default=NeedStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("posted by"),
    )
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = NeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        indexes = [models.Index(fields=["status", "-created_at"], name="need_status_created")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("needs:detail", args=[self.pk])


class ContactStatus(models.TextChoices):
    PENDING = "en_attente", _("pending")
    ACCEPTED = "acceptee", _("accepted")
    DECLINED = "refusee", _("declined")


class ContactRequest(models.Model):
    """One organisation asks another to get in touch about a need: the need's organisation
    asks a suggested one for help, or an organisation offers its help to the need."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="contact_requests")
    sender = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contact_requests_sent",
        verbose_name=_("from"),
    )
    recipient = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contact_requests_received",
        verbose_name=_("to"),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("sent by"),
    )
    message = models.TextField(_("message"), max_length=2000)
    # The recipient's optional word with its answer (accept or decline).
    reply = models.TextField(_("reply"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ContactStatus, default=ContactStatus.PENDING
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("contact request")
        verbose_name_plural = _("contact requests")
        constraints = [
            models.UniqueConstraint(
                fields=["need", "sender", "recipient"], name="contact_request_unique"
            ),
            models.CheckConstraint(
                condition=~Q(sender=F("recipient")), name="contact_request_not_self"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "status"], name="contact_recipient_status"),
        ]

    def __str__(self) -> str:
        return f"{self.sender} → {self.recipient}: {self.need}"
