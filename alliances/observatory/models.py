"""The observatoire des partenariats: surveys, their waves, the question bank, responses.

A Survey asks one population (maires, associations…) nationally or in one territory (a
local observatory of associative life). Each Wave (a year, say) asks questions of the bank:
a Question's code is its XLSForm `name` (`q4`) and is shared by every wave and every
observatory that asks it, so that their figures compare. A WaveQuestion is the question as
one wave asks it: its wording, its options in order, and whether it is a respondent
attribute (region, commune size band…) usable as a breakdown and a filter.

Responses are stored by column, not by row: an imported file becomes one ResponseBatch whose
`data` holds the wave's columns for its rows (see `dataset`), so that a million respondents
load in one read and are analysed with NumPy. Answers given through the public questionnaire
are WebResponses (one per invitation token or open-link visitor, saved and resumed), joined
to the batches when the wave's data set is built.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Survey(models.Model):
    class Population(models.TextChoices):
        MAIRES = "maires", _("maires")
        ASSOCIATIONS = "associations", _("associations")
        ENTREPRISES = "entreprises", _("entreprises")
        CITOYENS = "citoyens", _("citoyens")
        AUTRE = "autre", _("other")

    class Scope(models.TextChoices):
        NATIONAL = "national", _("national")
        LOCAL = "local", _("local")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    population = models.CharField(_("population"), max_length=16, choices=Population)
    scope = models.CharField(_("scope"), max_length=8, choices=Scope, default=Scope.NATIONAL)
    # A local observatory's territory: a région or a département.
    region = models.ForeignKey(
        "territories.Region", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("région"),
    )
    departement = models.ForeignKey(
        "territories.Departement", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("département"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="surveys",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                name="survey_local_has_territory",
                condition=Q(scope="national", region__isnull=True, departement__isnull=True)
                | Q(scope="local", region__isnull=False)
                | Q(scope="local", departement__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def territory(self):
        return self.departement or self.region


class Question(models.Model):
    """A question of the bank, identified across waves and observatories by its code."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        SCALE = "scale", _("scale")
        NUMBER = "number", _("number")
        TEXT = "text", _("free text")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind)
    label = models.TextField(_("label"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.code

    @property
    def has_options(self) -> bool:
        return self.kind in {self.Kind.SINGLE, self.Kind.MULTIPLE, self.Kind.SCALE}


class Option(models.Model):
    """An answer option of the bank, with a code stable across waves."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="options", verbose_name=_("question")
    )
    code = models.CharField(_("code"), max_length=64)
    label = models.CharField(_("label"), max_length=300)

    class Meta:
        ordering = ["question_id", "id"]
        verbose_name = _("option")
        verbose_name_plural = _("options")
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="option_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.question.code}/{self.code}"


class Wave(models.Model):
    class Status(models.TextChoices):
        BROUILLON = "brouillon", _("draft")
        COLLECTE = "en_collecte", _("collecting")
        CLOSE = "close", _("closed")
        PUBLIEE = "publiee", _("published")

    class WeightSource(models.TextChoices):
        NONE = "aucune", _("no weights")
        IMPORTED = "importees", _("imported weights")
        RAKED = "calage", _("raked weights")

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="waves", verbose_name=_("survey")
    )
    label = models.CharField(_("label"), max_length=64)
    field_start = models.DateField(_("fieldwork start"), null=True, blank=True)
    field_end = models.DateField(_("fieldwork end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.BROUILLON
    )
    min_n = models.PositiveSmallIntegerField(
        _("minimum unweighted n of a published cell"), default=30
    )
    # The XLSForm the questions came from, kept as uploaded.
    xlsform = models.FileField(_("XLSForm"), upload_to="observatory/forms/", blank=True)
    # Raking: the margins {variable: {category: share}} and the last run's report
    # (iterations, convergence, diagnostics). The raked weights themselves are derived: the
    # data set rakes again whenever it is built (a few ms), so they never go stale.
    margins = models.JSONField(_("raking margins"), null=True, blank=True)
    rake_report = models.JSONField(_("raking report"), null=True, blank=True)
    # Bumped by every change of the responses or the weights: the analysis cache's key.
    data_version = models.PositiveIntegerField(default=0, editable=False)
    # The open link (no invitation needed), rate-limited; off unless the analyst opens it.
    open_link = models.BooleanField(_("open link"), default=False)
    open_key = models.CharField(max_length=64, default=new_token, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["survey_id", "created_at", "id"]
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        constraints = [
            models.UniqueConstraint(fields=["survey", "label"], name="wave_label_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} — {self.label}"

    def get_absolute_url(self) -> str:
        return reverse("observatory:dashboard", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLIEE

    @property
    def accepts_answers(self) -> bool:
        return self.status == self.Status.COLLECTE


class WaveQuestion(models.Model):
    """A question as one wave asks it."""

    wave = models.ForeignKey(
        Wave, on_delete=models.CASCADE, related_name="questions", verbose_name=_("wave")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="asked", verbose_name=_("question")
    )
    position = models.PositiveIntegerField(_("position"))
    label = models.TextField(_("label"))
    hint = models.TextField(_("hint"), blank=True)
    required = models.BooleanField(_("required"), default=False)
    # The wave's options, in the order asked: codes of the question's bank Options. The
    # integer code of an answer in the data set is its index in this list.
    option_codes = models.JSONField(_("options"), default=list, blank=True)
    is_attribute = models.BooleanField(_("respondent attribute"), default=False)
    # The XLSForm group the question sits in (a page of the questionnaire).
    group = models.CharField(_("group"), max_length=200, blank=True)
    # Bounds of a number, or of a scale's range.
    minimum = models.FloatField(_("minimum"), null=True, blank=True)
    maximum = models.FloatField(_("maximum"), null=True, blank=True)

    class Meta:
        ordering = ["wave_id", "position"]
        verbose_name = _("question of a wave")
        verbose_name_plural = _("questions of a wave")
        constraints = [
            models.UniqueConstraint(fields=["wave", "question"], name="wave_question_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.wave_id}:{self.question_id}"


class ResponseBatch(models.Model):
    """One imported response file: its progress, its errors, then its rows' columns."""

    class Status(models.TextChoices):
        PENDING = "en_attente", _("waiting")
        RUNNING = "en_cours", _("running")
        DONE = "terminee", _("done")
        FAILED = "echec", _("failed")

    wave = models.ForeignKey(
        Wave, on_delete=models.CASCADE, related_name="batches", verbose_name=_("wave")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.PENDING
    )
    source = models.FileField(_("file"), upload_to="observatory/imports/")
    filename = models.CharField(_("file name"), max_length=255)
    weight_column = models.CharField(_("weight column"), max_length=64, blank=True)
    skip_bad_rows = models.BooleanField(_("skip bad rows"), default=False)
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)
    rows_imported = models.PositiveIntegerField(_("rows imported"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    # [{"line": int, "column": str, "message": str}], the first ones only (see importer).
    errors = models.JSONField(_("errors"), default=list, blank=True)
    rejected_file = models.FileField(
        _("rejected rows"), upload_to="observatory/rejected/", blank=True
    )
    # The columns of the imported rows (`dataset.pack_columns`); null until done.
    data = models.BinaryField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["wave_id", "id"]
        verbose_name = _("response import")
        verbose_name_plural = _("response imports")

    def __str__(self) -> str:
        return self.filename


class Invitation(models.Model):
    """A personal link to a wave's questionnaire: one response per token."""

    wave = models.ForeignKey(
        Wave, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("wave")
    )
    token = models.CharField(max_length=64, default=new_token, unique=True, editable=False)
    # What the analyst needs to follow up (e.g. "Mairie de X"), never shown to others.
    label = models.CharField(_("label"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["wave_id", "id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.label or self.token[:8]


class WebResponse(models.Model):
    """A response given through the public questionnaire, saved page by page."""

    class Status(models.TextChoices):
        DRAFT = "brouillon", _("in progress")
        SUBMITTED = "envoyee", _("submitted")

    wave = models.ForeignKey(
        Wave, on_delete=models.CASCADE, related_name="web_responses", verbose_name=_("wave")
    )
    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, null=True, blank=True, related_name="response",
        verbose_name=_("invitation"),
    )
    # Resumes an open-link response (kept in the visitor's session and shown as a link).
    resume_key = models.CharField(max_length=64, default=new_token, unique=True, editable=False)
    # Set when a signed-in person answers: their data, for export and deletion.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="survey_responses", verbose_name=_("user"),
    )
    # {question code: option code | [option codes] | number | text}
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["wave_id", "id"]
        verbose_name = _("web response")
        verbose_name_plural = _("web responses")
        indexes = [models.Index(fields=["wave", "status"], name="webresponse_wave_status")]

    def __str__(self) -> str:
        return f"{self.wave_id}#{self.pk}"
