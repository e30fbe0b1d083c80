from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alliances.lib.text import fold
from alliances.territories.models import Commune, Departement, Region

from .validators import validate_rna, validate_siren, validate_siret


class OrganisationType(models.TextChoices):
    ASSOCIATION = "association", _("association")
    FONDATION = "fondation", _("foundation")
    ENTREPRISE = "entreprise", _("company")
    COLLECTIVITE = "collectivite", _("local authority")
    ETAT = "etat", _("State service")
    ENSEIGNEMENT = "enseignement", _("educational institution")
    ACADEMIQUE = "academique", _("academic actor")
    RESEAU = "reseau", _("network / federation")
    CATALYSEUR = "catalyseur", _("territorial catalyst")


class OrganisationSource(models.TextChoices):
    MANUAL = "manual", _("entered by hand")
    RNA = "rna", _("RNA (associations register)")
    SIRENE = "sirene", _("SIRENE (companies register)")


class Fragility(models.Model):
    """A domain of local need (emploi, vieillissement…): data, shipped by a migration."""

    code = models.SlugField(_("code"), max_length=30, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("fragility domain")
        verbose_name_plural = _("fragility domains")

    def __str__(self) -> str:
        return self.name


class Sector(models.Model):
    """An activity sector: the sections of the French activity nomenclature (NAF rév. 2)."""

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("activity sector")
        verbose_name_plural = _("activity sectors")

    def __str__(self) -> str:
        return self.name


class OrganisationQuerySet(models.QuerySet):
    def public(self) -> "OrganisationQuerySet":
        return self.filter(is_public=True)

    def in_territory(self, territory) -> "OrganisationQuerySet":
        if isinstance(territory, Region):
            return self.filter(region=territory)
        if isinstance(territory, Departement):
            return self.filter(departement=territory)
        if isinstance(territory, Commune):
            return self.filter(commune=territory)
        raise TypeError(f"not a territory: {territory!r}")

    def search(self, query: str) -> "OrganisationQuerySet":
        folded = fold(query)
        if not folded:
            return self
        return self.filter(search_name__contains=folded)

    def for_list(self) -> "OrganisationQuerySet":
        return self.select_related("commune").only(
            "id", "name", "type", "commune__code", "commune__name", "updated_at"
        )


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=250)
    search_name = models.CharField(max_length=250, editable=False)
    type = models.CharField(_("type"), max_length=20, choices=OrganisationType)
    siren = models.CharField(
        _("SIREN"), max_length=9, blank=True, validators=[validate_siren],
        help_text=_("9 digits, for companies and associations registered with INSEE."),
    )
    siret = models.CharField(
        _("SIRET"), max_length=14, blank=True, validators=[validate_siret],
        help_text=_("14 digits: the SIREN followed by the establishment number."),
    )
    rna = models.CharField(
        _("RNA number"), max_length=10, blank=True, validators=[validate_rna],
        help_text=_("For associations: W followed by 9 digits."),
    )
    # No index of their own for the three territory keys (db_index=False): each is the
    # first column of a composite index in Meta.indexes (org_commune_type, org_dep_type,
    # org_region_type), which serves the filters on it alone as well; a registry import
    # adds millions of rows, and every index costs it an insert per row.
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, db_index=False,
        related_name="organisations", verbose_name=_("commune"),
    )
    # Denormalised from the commune so territory pages filter on one indexed column.
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, null=True, blank=True, editable=False,
        db_index=False, related_name="+",
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, editable=False,
        db_index=False, related_name="+",
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    # For the map: the organisation's own point; without it, its commune's centre is used.
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    # Where the row came from, and the registry's own activity code and update time, so a
    # later import of the same registry updates only what changed.
    source = models.CharField(
        _("source"), max_length=10, choices=OrganisationSource, default=OrganisationSource.MANUAL
    )
    naf = models.CharField(_("NAF activity code"), max_length=6, blank=True)
    registry_updated_at = models.DateTimeField(_("updated in the registry"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    fragilities = models.ManyToManyField(
        Fragility, blank=True, related_name="organisations", verbose_name=_("fragility domains")
    )
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="organisations", verbose_name=_("activity sectors")
    )
    is_public = models.BooleanField(_("listed publicly"), default=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["search_name", "id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            models.Index(fields=["commune", "type", "search_name"], name="org_commune_type"),
            models.Index(fields=["departement", "type", "search_name"], name="org_dep_type"),
            models.Index(fields=["region", "type", "search_name"], name="org_region_type"),
            models.Index(fields=["search_name", "id"], name="org_search_name"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["siret"], condition=~Q(siret=""), name="org_siret_unique"
            ),
            models.UniqueConstraint(fields=["rna"], condition=~Q(rna=""), name="org_rna_unique"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="org_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="org_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.search_name = fold(self.name)
        if self.siret and not self.siren:
            self.siren = self.siret[:9]
        commune = self.commune if self.commune_id else None
        if commune is not None:
            self.departement_id = commune.departement_id
            self.region_id = commune.departement.region_id
        else:
            self.departement_id = None
            self.region_id = None
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("actors:detail", args=[self.pk])

    def clean(self) -> None:
        if self.siren and self.siret and not self.siret.startswith(self.siren):
            raise ValidationError({"siret": _("The SIRET must start with the SIREN.")})


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("member")
        MANAGER = "manager", _("manager")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.MEMBER)
    title = models.CharField(_("position"), max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation}"


class DuplicateStatus(models.TextChoices):
    PENDING = "pending", _("to be checked")
    MERGED = "merged", _("merged")
    DISTINCT = "distinct", _("not the same organisation")


class DuplicateProposal(models.Model):
    """Two organisations that may be the same one: an imported row whose name and commune
    look like an organisation entered by hand. A person confirms (merge) or rejects it."""

    kept = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="duplicate_proposals_kept",
        verbose_name=_("organisation entered by hand"),
    )
    candidate = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="duplicate_proposals_candidate",
        verbose_name=_("imported organisation"),
    )
    score = models.FloatField(_("similarity"))
    status = models.CharField(
        _("status"), max_length=10, choices=DuplicateStatus, default=DuplicateStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-score", "pk"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(fields=["kept", "candidate"], name="duplicate_pair_unique"),
            models.CheckConstraint(
                condition=~Q(kept=models.F("candidate")), name="duplicate_not_self"
            ),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="duplicate_status_score")]

    def __str__(self) -> str:
        return f"{self.kept} ≟ {self.candidate}"


class RegistryImportStatus(models.TextChoices):
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class RegistryImport(models.Model):
    """One run of `import-rna` or `import-sirene` over one file with one set of filters.

    Its checkpoint (the last line whose batch was committed) lets a second run of the same
    command on the same file go on from there after an interruption.
    """

    source = models.CharField(_("registry"), max_length=10, choices=OrganisationSource)
    file_name = models.CharField(_("file"), max_length=500)
    file_sha256 = models.CharField(max_length=64)
    filters = models.JSONField(_("filters"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=RegistryImportStatus,
        default=RegistryImportStatus.RUNNING,
    )
    lines_done = models.PositiveBigIntegerField(_("lines read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    merged = models.PositiveIntegerField(_("merged with an existing organisation"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    proposals = models.PositiveIntegerField(_("possible duplicates"), default=0)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")
        indexes = [
            models.Index(fields=["source", "file_sha256", "status"], name="registry_import_resume")
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} — {self.file_name}"
