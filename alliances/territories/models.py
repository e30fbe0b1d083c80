from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alliances.lib.text import fold


class Region(models.Model):
    code = models.CharField(_("INSEE code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("territories:region", args=[self.code])


class Departement(models.Model):
    code = models.CharField(_("INSEE code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="departements", verbose_name=_("region")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("département")
        verbose_name_plural = _("départements")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("territories:departement", args=[self.code])


class Epci(models.Model):
    """An établissement public de coopération intercommunale à fiscalité propre."""

    code = models.CharField(_("SIREN"), max_length=9, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    nature = models.CharField(_("legal nature"), max_length=10, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("EPCI")
        verbose_name_plural = _("EPCI")

    def __str__(self) -> str:
        return self.name


class CommuneQuerySet(models.QuerySet):
    def search(self, query: str) -> "CommuneQuerySet":
        folded = fold(query)
        if not folded:
            return self
        return self.filter(search_name__contains=folded)


class Commune(models.Model):
    code = models.CharField(_("INSEE code"), max_length=5, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    search_name = models.CharField(max_length=200, editable=False, db_index=True)
    departement = models.ForeignKey(
        Departement,
        on_delete=models.PROTECT,
        related_name="communes",
        verbose_name=_("département"),
    )
    epci = models.ForeignKey(
        Epci,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communes",
        verbose_name=_("EPCI"),
    )
    population = models.PositiveIntegerField(_("municipal population"), null=True, blank=True)
    size_band = models.PositiveSmallIntegerField(_("size band"), null=True, blank=True)
    # The commune's centre (WGS 84), for the map of actors: imported by import-commune-centres.
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs) -> None:
        self.search_name = fold(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("territories:commune", args=[self.code])

    @property
    def size_band_label(self) -> str:
        return size_band_label(self.size_band)


def size_band_of(population: int) -> int:
    """Index of the size band a population falls in (bands from settings.COMMUNE_SIZE_BANDS)."""
    for index, upper in enumerate(settings.COMMUNE_SIZE_BANDS):
        if population < upper:
            return index
    return len(settings.COMMUNE_SIZE_BANDS)


def size_band_label(index: int | None) -> str:
    if index is None:
        return ""
    bounds = settings.COMMUNE_SIZE_BANDS
    if index == 0:
        return _("fewer than %(n)s") % {"n": f"{bounds[0]:,}".replace(",", "\u202f")}
    if index >= len(bounds):
        return _("%(n)s and more") % {"n": f"{bounds[-1]:,}".replace(",", "\u202f")}
    low, high = bounds[index - 1], bounds[index] - 1
    return f"{low:,}–{high:,}".replace(",", "\u202f")


class CommuneSubdivision(models.Model):
    """Municipal arrondissements (ARM) and communes déléguées/associées (COMD/COMA).

    Kept apart from communes so they are never counted as communes; a COMD row may carry
    the same INSEE code as its parent, hence the key on (kind, code).
    """

    class Kind(models.TextChoices):
        ARRONDISSEMENT = "ARM", _("municipal arrondissement")
        DELEGUEE = "COMD", _("commune déléguée")
        ASSOCIEE = "COMA", _("commune associée")

    kind = models.CharField(_("kind"), max_length=4, choices=Kind)
    code = models.CharField(_("INSEE code"), max_length=5)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="subdivisions", verbose_name=_("commune")
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="subdivision_kind_code_unique")
        ]
        verbose_name = _("commune subdivision")
        verbose_name_plural = _("commune subdivisions")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
