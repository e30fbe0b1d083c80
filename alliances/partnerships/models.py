"""The registry of alliances: partnerships between two or more organisations, followed
for at least 36 months (dated notes and indicators)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alliances.actors.models import Fragility, Organisation
from alliances.territories.models import Commune, Departement, Region


class AllianceType(models.TextChoices):
    MECENAT = "mecenat", _("mécénat")
    PRATIQUES_RESPONSABLES = "pratiques_responsables", _("pratiques responsables")
    COOPERATION_ECONOMIQUE = "cooperation_economique", _("coopération économique")
    INNOVATION_SOCIETALE = "innovation_societale", _("innovation sociétale")


class AllianceForm(models.TextChoices):
    DIALOGUE = "dialogue_territorial", _("dialogue territorial")
    PARTENARIAT = "partenariat", _("partenariat entre organisations")
    EXPERIMENTATION = "experimentation", _("expérimentation collective")


class AllianceStatus(models.TextChoices):
    PROJET = "en_projet", _("in preparation")
    ACTIVE = "active", _("active")
    TERMINEE = "terminee", _("ended")


class PartnerRole(models.TextChoices):
    PORTEUR = "porteur", _("lead")
    PARTENAIRE = "partenaire", _("partner")
    FINANCEUR = "financeur", _("funder")


# The follow-up lasts at least 36 months: checkpoints after the start (months).
FOLLOW_UP_MONTHS = (6, 12, 24, 36)


class AllianceQuerySet(models.QuerySet):
    def public(self) -> "AllianceQuerySet":
        return self.filter(is_public=True)

    def visible_to(self, user) -> "AllianceQuerySet":
        """Public alliances, plus the private ones of the user's organisations (all for
        platform admins)."""
        if getattr(user, "is_platform_admin", False):
            return self
        if not user.is_authenticated:
            return self.public()
        return self.filter(
            Q(is_public=True) | Q(partners__organisation__memberships__user=user)
        ).distinct()

    def in_territory(self, territory) -> "AllianceQuerySet":
        if isinstance(territory, Region):
            return self.filter(region=territory)
        if isinstance(territory, Departement):
            return self.filter(departement=territory)
        if isinstance(territory, Commune):
            return self.filter(commune=territory)
        raise TypeError(f"not a territory: {territory!r}")

    def of_organisation(self, organisation: Organisation) -> "AllianceQuerySet":
        return self.filter(partners__organisation=organisation)


class Alliance(models.Model):
    title = models.CharField(_("title"), max_length=200)
    type = models.CharField(_("type of partnership"), max_length=30, choices=AllianceType)
    form = models.CharField(_("form of co-construction"), max_length=30, choices=AllianceForm)
    fragilities = models.ManyToManyField(
        Fragility, blank=True, related_name="alliances", verbose_name=_("fragilities addressed")
    )
    # The territory: a commune, or a whole département (then commune is empty). Region and
    # département are denormalised from the most precise level given, like organisations.
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="alliances",
        verbose_name=_("commune"),
    )
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, null=True, blank=True, related_name="alliances",
        verbose_name=_("département"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AllianceStatus, default=AllianceStatus.PROJET
    )
    # Resources mobilised, all partners together.
    money_eur = models.DecimalField(
        _("money (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    skill_days = models.DecimalField(
        _("skills (days)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    goods = models.CharField(_("goods and premises"), max_length=300, blank=True)
    goods_value_eur = models.DecimalField(
        _("value of the goods (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(_("public"), default=True)
    resources = models.ManyToManyField(
        "resources.Resource", blank=True, related_name="alliances",
        verbose_name=_("resources"),
    )
    actions = models.ManyToManyField(
        "diagnostics.Action", blank=True, related_name="alliances",
        verbose_name=_("trajectoire actions"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AllianceQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("alliance")
        verbose_name_plural = _("alliances")
        indexes = [
            models.Index(fields=["departement", "type", "-start_date"], name="alliance_dep_type"),
            models.Index(fields=["region", "type", "-start_date"], name="alliance_region_type"),
            models.Index(fields=["commune", "-start_date"], name="alliance_commune"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="alliance_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(money_eur__isnull=True) | Q(money_eur__gte=0),
                name="alliance_money_positive",
            ),
            models.CheckConstraint(
                condition=Q(skill_days__isnull=True) | Q(skill_days__gte=0),
                name="alliance_skill_days_positive",
            ),
            models.CheckConstraint(
                condition=Q(goods_value_eur__isnull=True) | Q(goods_value_eur__gte=0),
                name="alliance_goods_value_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        commune = self.commune if self.commune_id else None
        if commune is not None:
            self.departement_id = commune.departement_id
        departement = self.departement if self.departement_id else None
        if departement is not None:
            self.region_id = departement.region_id
        else:
            self.region_id = None
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("partnerships:detail", args=[self.pk])


class Partner(models.Model):
    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="partnerships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(
        _("role"), max_length=12, choices=PartnerRole, default=PartnerRole.PARTENAIRE
    )

    class Meta:
        ordering = ["alliance", "pk"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "organisation"], name="partner_unique"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "alliance"], name="partner_org")]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class FollowUpNote(models.Model):
    """A dated note of the follow-up: what happened, what changed."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="notes")
    date = models.DateField(_("date"))
    text = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["alliance", "-date", "-pk"]
        verbose_name = _("follow-up note")
        verbose_name_plural = _("follow-up notes")

    def __str__(self) -> str:
        return f"{self.alliance} — {self.date}"


class IndicatorKind(models.TextChoices):
    PEOPLE = "personnes_touchees", _("people reached")
    MONEY = "euros_mobilises", _("money mobilised (€)")
    SKILL_DAYS = "jours_competences", _("days of skills")
    VOLUNTEERS = "benevoles", _("volunteers involved")
    JOBS = "emplois", _("jobs created or kept")
    OTHER = "autre", _("other")


class IndicatorValue(models.Model):
    """One measure of an indicator at a date: the series over 36 months shows the path."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="indicators")
    kind = models.CharField(_("indicator"), max_length=20, choices=IndicatorKind)
    label = models.CharField(
        _("label"), max_length=100, blank=True, help_text=_("For the indicator “other”.")
    )
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["alliance", "kind", "label", "date", "pk"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="indicator_value_positive"),
            models.CheckConstraint(
                condition=~Q(kind="autre") | ~Q(label=""), name="indicator_other_labelled"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}: {self.value}"


class PartnerBenchmark(models.Model):
    """Where a national observatory asks "with which organisations do you work?": which
    option of which question stands for which pair of actor types.

    e.g. the associations' barometer, q15, option "entreprises" → (association, entreprise).
    The territory's who-works-with-whom matrix is read beside the share of the latest
    published wave of that survey.
    """

    survey = models.ForeignKey(
        "observatory.Survey", on_delete=models.CASCADE, related_name="partner_benchmarks",
        verbose_name=_("survey"),
    )
    question_code = models.CharField(_("question code"), max_length=64)
    option_code = models.CharField(_("option code"), max_length=64)
    from_type = models.CharField(
        _("respondents' actor type"), max_length=20,
        choices=Organisation._meta.get_field("type").choices,
    )
    to_type = models.CharField(
        _("partners' actor type"), max_length=20,
        choices=Organisation._meta.get_field("type").choices,
    )

    class Meta:
        ordering = ["from_type", "to_type", "pk"]
        verbose_name = _("national benchmark of partners")
        verbose_name_plural = _("national benchmarks of partners")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "from_type", "to_type"], name="partner_benchmark_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} {self.question_code}/{self.option_code}"
