"""The resource centre: the référentiel, resources, their versions and review, collections.

The référentiel is a tree of ReferentielNodes: parts → chapters → questions (depth 3 at
most), shipped with its three-part default structure and edited by admins.

A Resource (fiche pratique, méthode, outil…) carries markdown text, files, links, tags
from the shared vocabularies (`core.vocabularies`), the référentiel nodes and the parcours
steps it serves. Anyone signed in may propose one; it goes brouillon → soumise → en
relecture → publiée (or refusée, with a reason). Every saved edit is a ResourceVersion (a
snapshot of the text and metadata, compared with difflib); the review's comments and
decisions are ResourceEvents. Only published resources are in the search index
(`resources.search`), which the services update on every write.

A Collection is a curated, ordered list of resources (an animateur's list for a session).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alliances.core.vocabularies import TagFamily

MAX_DEPTH = 3


class ReferentielNodeQuerySet(models.QuerySet):
    def roots(self) -> "ReferentielNodeQuerySet":
        return self.filter(parent__isnull=True)


class ReferentielNode(models.Model):
    """A part (depth 1), chapter (2) or question (3) of the référentiel."""

    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children",
        verbose_name=_("parent"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    objects = ReferentielNodeQuerySet.as_manager()

    class Meta:
        ordering = ["parent_id", "position", "id"]
        verbose_name = _("référentiel node")
        verbose_name_plural = _("référentiel nodes")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("resources:node", args=[self.pk])

    def depth(self) -> int:
        """1 for a part; walks the parents (one query per level: use the selectors' tree
        for lists)."""
        depth, parent = 1, self.parent
        while parent is not None:
            parent = parent.parent
            depth += 1
        return depth

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        depth, ancestor = 1, self.parent
        while ancestor is not None:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError({"parent": _("A node cannot be inside itself.")})
            depth += 1
            ancestor = ancestor.parent
        if depth > MAX_DEPTH:
            raise ValidationError(
                {"parent": _("The référentiel has three levels: parts, chapters, questions.")}
            )


class ResourceKind(models.TextChoices):
    FICHE = "fiche", _("practical sheet")
    METHODE = "methode", _("method")
    OUTIL = "outil", _("tool")
    TEMOIGNAGE = "temoignage", _("testimony")
    ETUDE = "etude", _("study")
    VIDEO = "video", _("video / MOOC")
    WEBINAIRE = "webinaire", _("webinar replay")
    KIT = "kit", _("kit")


class ResourceStatus(models.TextChoices):
    DRAFT = "brouillon", _("draft")
    SUBMITTED = "soumise", _("submitted")
    IN_REVIEW = "en_relecture", _("under review")
    PUBLISHED = "publiee", _("published")
    REFUSED = "refusee", _("refused")


class Licence(models.TextChoices):
    CC_BY_SA = "CC-BY-SA-4.0", "CC BY-SA 4.0"
    CC_BY = "CC-BY-4.0", "CC BY 4.0"
    CC0 = "CC0-1.0", "CC0 1.0"
    ETALAB = "etalab-2.0", _("Licence Ouverte 2.0 (Etalab)")
    RESERVED = "reserved", _("all rights reserved")


class ResourceQuerySet(models.QuerySet):
    def published(self) -> "ResourceQuerySet":
        return self.filter(status=ResourceStatus.PUBLISHED)

    def visible_to(self, user) -> "ResourceQuerySet":
        """Published ones, plus one's own contributions; reviewers and admins see all."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.published()
        if user.is_platform_admin or user.role == user.Role.ANIMATEUR:
            return self
        return self.filter(Q(status=ResourceStatus.PUBLISHED) | Q(contributor=user))

    def for_list(self) -> "ResourceQuerySet":
        return self.only(
            "id", "kind", "title", "summary", "status", "issued_on", "published_at",
            "updated_at",
        )


class Resource(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=ResourceKind)
    title = models.CharField(_("title"), max_length=250)
    summary = models.TextField(_("summary"), max_length=1000, blank=True)
    body = models.TextField(
        _("text"), blank=True, help_text=_("Markdown: **bold**, *italic*, lists, links.")
    )
    authors = models.CharField(
        _("authors"), max_length=300, blank=True,
        help_text=_("The people who wrote or made it, as they should be credited."),
    )
    organisations = models.ManyToManyField(
        "actors.Organisation", blank=True, related_name="resources",
        verbose_name=_("organisations"),
    )
    region = models.ForeignKey(
        "territories.Region", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("region"),
    )
    departement = models.ForeignKey(
        "territories.Departement", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("département"),
    )
    issued_on = models.DateField(
        _("date"), null=True, blank=True, help_text=_("When the resource was made or published.")
    )
    licence = models.CharField(
        _("licence"), max_length=20, choices=Licence, default=Licence.CC_BY_SA
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ResourceStatus, default=ResourceStatus.DRAFT
    )
    # The person who proposed it, credited on the page and on their profile.
    contributor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="contributed_resources", verbose_name=_("contributor"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="reviewed_resources", verbose_name=_("reviewer"),
    )
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    nodes = models.ManyToManyField(
        ReferentielNode, blank=True, related_name="resources",
        verbose_name=_("référentiel"),
    )
    steps = models.ManyToManyField(
        "journeys.ProgrammeStep", blank=True, related_name="resources",
        verbose_name=_("parcours steps"),
    )
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        indexes = [
            models.Index(fields=["status", "-published_at"], name="resource_status_published"),
            models.Index(fields=["contributor", "status"], name="resource_contributor"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("resources:detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == ResourceStatus.PUBLISHED


class ResourceTag(models.Model):
    """A tag from a shared vocabulary: `family` is a TagFamily, `code` a code of it."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="tags")
    family = models.CharField(_("family"), max_length=10, choices=TagFamily)
    code = models.CharField(_("code"), max_length=40)

    class Meta:
        ordering = ["family", "code"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "family", "code"], name="resource_tag_unique"
            ),
        ]
        indexes = [models.Index(fields=["family", "code"], name="resource_tag_code")]

    def __str__(self) -> str:
        return f"{self.family}:{self.code}"


def _file_path(instance: "ResourceFile", filename: str) -> str:
    return f"resources/{instance.resource_id}/{filename}"


class ResourceFile(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to=_file_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    # The text of a PDF, for the search index (empty for other kinds).
    text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["resource_id", "position", "id"]
        verbose_name = _("file")
        verbose_name_plural = _("files")

    def __str__(self) -> str:
        return self.name


class ResourceLink(models.Model):
    """An external link: a MOOC on another platform, a video, a site."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(_("address"), max_length=500)
    title = models.CharField(_("title"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    class Meta:
        ordering = ["resource_id", "position", "id"]
        verbose_name = _("link")
        verbose_name_plural = _("links")

    def __str__(self) -> str:
        return self.title or self.url


class ResourceVersion(models.Model):
    """A snapshot of a resource after one saved edit (`data`: the fields that people
    edit, with tags, nodes, steps, links and file names as sorted lists)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    data = models.JSONField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        ordering = ["resource_id", "-number"]
        verbose_name = _("resource version")
        verbose_name_plural = _("resource versions")
        constraints = [
            models.UniqueConstraint(fields=["resource", "number"], name="resource_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} v{self.number}"


class ResourceEventKind(models.TextChoices):
    SUBMITTED = "submitted", _("submitted for review")
    REVIEW_STARTED = "review_started", _("review started")
    COMMENT = "comment", _("comment")
    CHANGES_REQUESTED = "changes_requested", _("changes requested")
    PUBLISHED = "published", _("published")
    REFUSED = "refused", _("refused")
    UNPUBLISHED = "unpublished", _("unpublished")


class ResourceEvent(models.Model):
    """One step of a resource's review: who did what, with their comment."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=ResourceEventKind)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )
    body = models.TextField(_("comment"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        ordering = ["resource_id", "created_at", "id"]
        verbose_name = _("review event")
        verbose_name_plural = _("review events")

    def __str__(self) -> str:
        return f"{self.resource_id} {self.kind}"


class Collection(models.Model):
    """A curated list of resources: an animateur's selection for a session, or a theme."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("made by"),
    )
    session = models.ForeignKey(
        "journeys.Session", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="collections", verbose_name=_("session"),
    )
    is_public = models.BooleanField(
        _("public"), default=True,
        help_text=_("Otherwise only its author, the session's cohort and admins see it."),
    )
    resources = models.ManyToManyField(
        Resource, through="CollectionItem", related_name="collections",
        verbose_name=_("resources"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("collection")
        verbose_name_plural = _("collections")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("resources:collection", args=[self.pk])


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    note = models.CharField(
        _("note"), max_length=300, blank=True, help_text=_("Why this resource, for whom.")
    )

    class Meta:
        ordering = ["collection_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "resource"], name="collection_item_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.collection_id}:{self.resource_id}"
