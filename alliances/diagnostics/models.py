"""Bilan · cible · trajectoire: a territory team's self-diagnosis and roadmap.

The maturity grid is data: Grid → GridVersion → Axis → Criterion, with the version's
ordered Levels (e.g. Émergence … Essaimage) and a description of each level of each
criterion (CriterionLevel). A version is frozen once published: a new edition is a new
version, so a bilan keeps the version it was made on. Criteria and axes carry stable codes
across versions, which is how bilans on different versions compare.

A Plan is one team's object: a pilot territory of a cohort (its participants edit it
together), or one person alone. It holds successive Bilans (T0, end of the parcours, M36…),
each with one Entry per criterion (level, evidence, the organisations that prove it) and a
history of changes (EntryChange); Targets (the cible: a level per criterion at a horizon);
and the trajectoire: Actions and Milestones.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from alliances.actors.models import Organisation
from alliances.journeys.models import PilotTerritory

# -- the grid -----------------------------------------------------------------------------


class Grid(models.Model):
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(_("default grid"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("maturity grid")
        verbose_name_plural = _("maturity grids")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="grid_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GridVersionStatus(models.TextChoices):
    DRAFT = "brouillon", _("draft")
    PUBLISHED = "publiee", _("published")


class GridVersion(models.Model):
    grid = models.ForeignKey(
        Grid, on_delete=models.CASCADE, related_name="versions", verbose_name=_("grid")
    )
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=GridVersionStatus, default=GridVersionStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    note = models.TextField(_("what changed"), blank=True)

    class Meta:
        ordering = ["grid", "-number"]
        verbose_name = _("grid version")
        verbose_name_plural = _("grid versions")
        constraints = [
            models.UniqueConstraint(fields=["grid", "number"], name="gridversion_unique"),
            models.CheckConstraint(
                condition=Q(status="brouillon") | Q(published_at__isnull=False),
                name="gridversion_published_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grid} — v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == GridVersionStatus.PUBLISHED


class Level(models.Model):
    """One step of the version's scale, 1 = the lowest (e.g. 1 Émergence … 4 Essaimage)."""

    version = models.ForeignKey(
        GridVersion, on_delete=models.CASCADE, related_name="levels", verbose_name=_("version")
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["version", "rank"]
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        constraints = [
            models.UniqueConstraint(fields=["version", "rank"], name="level_unique"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="level_rank_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.name}"


class Axis(models.Model):
    version = models.ForeignKey(
        GridVersion, on_delete=models.CASCADE, related_name="axes", verbose_name=_("version")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("axis")
        verbose_name_plural = _("axes")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="axis_code_unique"),
            models.UniqueConstraint(fields=["version", "position"], name="axis_position_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    axis = models.ForeignKey(
        Axis, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("axis")
    )
    # Denormalised from the axis: a bilan's entries check their criterion's version in SQL.
    version = models.ForeignKey(
        GridVersion, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("version")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.SlugField(_("code"), max_length=80)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("guiding question"), blank=True)

    class Meta:
        ordering = ["version", "axis__position", "position"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="criterion_code_unique"),
            models.UniqueConstraint(fields=["axis", "position"], name="criterion_position_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class CriterionLevel(models.Model):
    """What a level looks like for one criterion: concrete, observable."""

    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="levels", verbose_name=_("criterion")
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    description = models.TextField(_("description"))

    class Meta:
        ordering = ["criterion", "rank"]
        verbose_name = _("level description")
        verbose_name_plural = _("level descriptions")
        constraints = [
            models.UniqueConstraint(fields=["criterion", "rank"], name="criterionlevel_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion} — {self.rank}"


# -- a team's plan --------------------------------------------------------------------------


class PlanVisibility(models.TextChoices):
    TEAM = "equipe", _("the team and its animateurs")
    COHORT = "promotion", _("the whole cohort")
    PUBLIC = "public", _("everyone (public)")


class Plan(models.Model):
    """One team's bilans, cible and trajectoire, on one grid."""

    pilot_territory = models.OneToOneField(
        PilotTerritory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="plan",
        verbose_name=_("pilot territory"),
    )
    # A participant working alone (no pilot territory): the plan is theirs.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="diagnostic_plans",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=200)
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, related_name="plans", verbose_name=_("grid")
    )
    visibility = models.CharField(
        _("shared with"), max_length=10, choices=PlanVisibility, default=PlanVisibility.TEAM
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("bilan · cible · trajectoire")
        verbose_name_plural = _("bilans · cibles · trajectoires")
        constraints = [
            models.CheckConstraint(
                condition=Q(pilot_territory__isnull=False) | Q(owner__isnull=False),
                name="plan_has_a_team",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BilanMoment(models.TextChoices):
    T0 = "t0", _("T0 (start of the parcours)")
    END = "fin_parcours", _("end of the parcours (M9)")
    M36 = "m36", _("36 months")
    OTHER = "autre", _("other")


class BilanStatus(models.TextChoices):
    DRAFT = "brouillon", _("draft")
    VALIDATED = "valide", _("validated")


class Bilan(models.Model):
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="bilans", verbose_name=_("plan")
    )
    grid_version = models.ForeignKey(
        GridVersion,
        on_delete=models.PROTECT,
        related_name="bilans",
        verbose_name=_("grid version"),
    )
    moment = models.CharField(
        _("moment"), max_length=15, choices=BilanMoment, default=BilanMoment.T0
    )
    date = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=10, choices=BilanStatus, default=BilanStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("validated by"),
    )

    class Meta:
        ordering = ["plan", "date", "pk"]
        verbose_name = _("bilan")
        verbose_name_plural = _("bilans")
        indexes = [models.Index(fields=["plan", "date"], name="bilan_plan_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="brouillon") | Q(validated_at__isnull=False),
                name="bilan_validated_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} — {self.get_moment_display()} ({self.date})"


class Entry(models.Model):
    """A bilan's answer for one criterion. `revision` grows with each save: a save made
    from an older revision is refused, never silently lost (optimistic locking)."""

    bilan = models.ForeignKey(
        Bilan, on_delete=models.CASCADE, related_name="entries", verbose_name=_("bilan")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("organisations as evidence")
    )
    revision = models.PositiveIntegerField(_("revision"), default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    class Meta:
        ordering = ["bilan", "criterion__axis__position", "criterion__position"]
        verbose_name = _("bilan entry")
        verbose_name_plural = _("bilan entries")
        constraints = [
            models.UniqueConstraint(fields=["bilan", "criterion"], name="entry_unique"),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1), name="entry_level_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bilan} — {self.criterion}"


class EntryChange(models.Model):
    """Who changed what in a bilan: one row per saved change of an entry."""

    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, related_name="changes", verbose_name=_("entry")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))
    revision = models.PositiveIntegerField(_("revision"))
    old_level = models.PositiveSmallIntegerField(_("old level"), null=True, blank=True)
    new_level = models.PositiveSmallIntegerField(_("new level"), null=True, blank=True)
    old_evidence = models.TextField(_("old evidence"), blank=True)
    new_evidence = models.TextField(_("new evidence"), blank=True)

    class Meta:
        ordering = ["entry", "-at", "-pk"]
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        indexes = [models.Index(fields=["entry", "at"], name="entrychange_entry_at")]

    def __str__(self) -> str:
        return f"{self.entry} r{self.revision}"


class Horizon(models.TextChoices):
    END = "fin_parcours", _("end of the parcours")
    M36 = "m36", _("36 months")


class Target(models.Model):
    """The cible: the level the team aims at for one criterion (by code) at a horizon."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="targets", verbose_name=_("plan")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    horizon = models.CharField(_("horizon"), max_length=15, choices=Horizon, default=Horizon.M36)
    level = models.PositiveSmallIntegerField(_("target level"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["plan", "horizon", "criterion__axis__position", "criterion__position"]
        verbose_name = _("target")
        verbose_name_plural = _("targets (cible)")
        constraints = [
            models.UniqueConstraint(fields=["plan", "criterion", "horizon"], name="target_unique"),
            models.CheckConstraint(condition=Q(level__gte=1), name="target_level_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} — {self.criterion}: {self.level}"


class ActionStatus(models.TextChoices):
    TODO = "a_faire", _("to do")
    DOING = "en_cours", _("in progress")
    DONE = "fait", _("done")
    DROPPED = "abandonne", _("dropped")


class Action(models.Model):
    """One action of the trajectoire (feuille de route)."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="actions", verbose_name=_("plan")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    partners = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("partner organisations")
    )
    start = models.DateField(_("start"))
    due = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=ActionStatus, default=ActionStatus.TODO
    )
    # Criteria by code: an action keeps moving "its" criteria across grid versions.
    criteria = models.ManyToManyField(
        Criterion, blank=True, related_name="+", verbose_name=_("criteria it moves")
    )
    # Joined from a co-development round's action plan, in one click.
    codev_item = models.OneToOneField(
        "codev.ActionItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trajectoire_action",
        verbose_name=_("from co-development"),
    )
    revision = models.PositiveIntegerField(_("revision"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["plan", "start", "due", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [models.Index(fields=["plan", "start"], name="action_plan_start")]
        constraints = [
            models.CheckConstraint(condition=Q(due__gte=models.F("start")), name="action_due"),
        ]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("plan")
    )
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    done = models.BooleanField(_("reached"), default=False)

    class Meta:
        ordering = ["plan", "date", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title
