"""The parcours d'expérience: programme templates, and cohorts made from them.

A programme is a template (phases, steps with offsets in days from its start); a cohort is
one promotion made from it with a start date, every date computed then editable.
All datetimes are aware; sessions are planned in Europe/Paris wall-clock time.
"""

import datetime
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from alliances.actors.models import Organisation
from alliances.territories.models import Commune, Departement


class StepCategory(models.TextChoices):
    SESSION = "session", _("collective session")
    WORK = "work", _("individual work")


class StepKind(models.Model):
    """A kind of step (apport théorique, bilan…): data, shipped by a migration."""

    code = models.SlugField(_("code"), max_length=30, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=10, choices=StepCategory)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("step kind")
        verbose_name_plural = _("step kinds")

    def __str__(self) -> str:
        return self.name


class SessionMode(models.TextChoices):
    PRESENTIEL = "presentiel", _("in person")
    DISTANCIEL = "distanciel", _("online")
    HYBRIDE = "hybride", _("hybrid")


class Programme(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(_("public"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name


class ProgrammePhase(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="phases", verbose_name=_("programme")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    start_offset_days = models.PositiveIntegerField(_("start (days after the programme start)"))
    duration_days = models.PositiveIntegerField(_("duration (days)"))

    class Meta:
        ordering = ["programme", "position"]
        verbose_name = _("programme phase")
        verbose_name_plural = _("programme phases")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "position"], name="programmephase_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProgrammeStep(models.Model):
    phase = models.ForeignKey(
        ProgrammePhase, on_delete=models.CASCADE, related_name="steps", verbose_name=_("phase")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.ForeignKey(
        StepKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("kind")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # From the programme's start, not the phase's: moving a phase does not move its steps.
    offset_days = models.PositiveIntegerField(_("day (after the programme start)"))
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), null=True, blank=True, help_text=_("For sessions.")
    )
    time_of_day = models.TimeField(_("time of day"), default=datetime.time(9, 30))
    mode = models.CharField(
        _("mode"), max_length=12, choices=SessionMode, default=SessionMode.PRESENTIEL
    )

    class Meta:
        ordering = ["phase", "position"]
        verbose_name = _("programme step")
        verbose_name_plural = _("programme steps")
        constraints = [
            models.UniqueConstraint(fields=["phase", "position"], name="programmestep_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class CohortStatus(models.TextChoices):
    BROUILLON = "brouillon", _("draft")
    INSCRIPTIONS_OUVERTES = "inscriptions_ouvertes", _("registration open")
    EN_COURS = "en_cours", _("in progress")
    TERMINE = "termine", _("finished")


class CohortVisibility(models.TextChoices):
    PRIVATE = "private", _("private")
    PUBLIC = "public", _("public")


class CohortQuerySet(models.QuerySet):
    def public(self) -> "CohortQuerySet":
        return self.filter(visibility=CohortVisibility.PUBLIC)

    def visible_to(self, user) -> "CohortQuerySet":
        """Public cohorts, plus a member's own; every cohort for a platform admin."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.public()
        if user.is_platform_admin:
            return self.all()
        return self.filter(
            Q(visibility=CohortVisibility.PUBLIC)
            | Q(pk__in=CohortMember.objects.filter(user=user).values("cohort_id"))
        )


class Cohort(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    status = models.CharField(
        _("status"), max_length=24, choices=CohortStatus, default=CohortStatus.BROUILLON
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=CohortVisibility,
        default=CohortVisibility.PRIVATE,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Bumped by every write that changes what the cohort's pages show (journeys.pagecache).
    pages_version = models.PositiveBigIntegerField(default=0, editable=False)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        indexes = [
            models.Index(fields=["visibility", "start"], name="cohort_visibility_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="cohort_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.visibility == CohortVisibility.PUBLIC


class CohortPhase(models.Model):
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="phases", verbose_name=_("cohort")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=100)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))

    class Meta:
        ordering = ["cohort", "position"]
        verbose_name = _("cohort phase")
        verbose_name_plural = _("cohort phases")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "position"], name="cohortphase_unique"),
            models.CheckConstraint(
                condition=Q(end__gte=F("start")), name="cohortphase_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PilotTerritory(models.Model):
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="pilot_territories",
        verbose_name=_("cohort"),
    )
    name = models.CharField(_("name"), max_length=200)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("commune"),
    )
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("département"),
    )
    # The territory's catalyst: the organisation that carries the journey locally.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("catalyst organisation"),
    )

    class Meta:
        ordering = ["cohort", "name"]
        verbose_name = _("pilot territory")
        verbose_name_plural = _("pilot territories")

    def __str__(self) -> str:
        return self.name


class CohortRole(models.TextChoices):
    PARTICIPANT = "participant", _("participant")
    ANIMATEUR = "animateur", _("animateur")
    INTERVENANT = "intervenant", _("speaker")
    OBSERVATEUR = "observateur", _("observer")


# Who may register to sessions: observers (partner institutions) follow without a seat.
REGISTERING_ROLES = frozenset(
    {CohortRole.PARTICIPANT, CohortRole.INTERVENANT, CohortRole.ANIMATEUR}
)


class CohortMember(models.Model):
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="members", verbose_name=_("cohort")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=12, choices=CohortRole)
    # A participant belongs to one pilot territory's team (typically a binôme).
    pilot_territory = models.ForeignKey(
        PilotTerritory, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="members", verbose_name=_("pilot territory"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["cohort", "role", "id"]
        verbose_name = _("cohort member")
        verbose_name_plural = _("cohort members")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="cohortmember_unique"),
        ]
        indexes = [
            models.Index(fields=["user", "cohort"], name="cohortmember_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Session(models.Model):
    """A temps collectif of a cohort."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("cohort")
    )
    phase = models.ForeignKey(
        CohortPhase, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions",
        verbose_name=_("phase"),
    )
    kind = models.ForeignKey(
        StepKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("kind"),
        limit_choices_to={"category": StepCategory.SESSION},
    )
    title = models.CharField(_("title"), max_length=200)
    mode = models.CharField(
        _("mode"), max_length=12, choices=SessionMode, default=SessionMode.PRESENTIEL
    )
    place = models.CharField(_("place"), max_length=300, blank=True)
    link = models.URLField(_("online link"), blank=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    agenda = models.TextField(_("agenda"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    replay_url = models.URLField(_("replay link"), blank=True)
    speakers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="sessions_spoken",
        verbose_name=_("speakers"),
    )
    speakers_text = models.CharField(
        _("outside speakers"), max_length=300, blank=True,
        help_text=_("Speakers without an account, e.g. a witness from another territory."),
    )

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [
            models.Index(fields=["cohort", "start"], name="session_cohort_start"),
            models.Index(fields=["start"], name="session_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="session_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.title


class Registration(models.Model):
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="registrations",
        verbose_name=_("session"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_registrations",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        ordering = ["session", "created_at"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="registration_unique"),
        ]
        indexes = [models.Index(fields=["user", "session"], name="registration_user")]

    def __str__(self) -> str:
        return f"{self.user} → {self.session}"


class Attendance(models.Model):
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("session")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendances",
        verbose_name=_("user"),
    )
    present = models.BooleanField(_("present"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        ordering = ["session", "user"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="attendance_unique"),
        ]
        indexes = [models.Index(fields=["user", "session"], name="attendance_user")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.session}"


class Feedback(models.Model):
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="feedbacks", verbose_name=_("session")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_feedbacks",
        verbose_name=_("user"),
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["session", "created_at"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedbacks")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="feedback_unique"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} ({self.rating}/5)"


class Assignment(models.Model):
    """A temps individuel: work each participant hands in by a date."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("cohort")
    )
    phase = models.ForeignKey(
        CohortPhase, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="assignments", verbose_name=_("phase"),
    )
    kind = models.ForeignKey(
        StepKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("kind"),
        limit_choices_to={"category": StepCategory.WORK},
    )
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    due = models.DateField(_("due date"))

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [models.Index(fields=["cohort", "due"], name="assignment_cohort_due")]

    def __str__(self) -> str:
        return self.title


class SubmissionStatus(models.TextChoices):
    A_FAIRE = "a_faire", _("to do")
    RENDU = "rendu", _("handed in")
    # Sent back by the animateur with feedback: to hand in again; not done meanwhile.
    A_REPRENDRE = "a_reprendre", _("to rework")
    VALIDE = "valide", _("approved")


class Submission(models.Model):
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="submissions",
        verbose_name=_("assignment"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions",
        verbose_name=_("user"),
    )
    text = models.TextField(_("text"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=SubmissionStatus, default=SubmissionStatus.A_FAIRE
    )
    submitted_at = models.DateTimeField(_("handed in at"), null=True, blank=True)
    feedback = models.TextField(_("animateur's feedback"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["assignment", "user"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "user"], name="submission_unique"),
        ]
        indexes = [models.Index(fields=["user", "status"], name="submission_user_status")]

    def __str__(self) -> str:
        return f"{self.assignment} — {self.user}"


class Invitation(models.Model):
    """An e-mailed link that makes its holder a member of a cohort, once.

    The token is the credential (whoever holds the link may join, with the account they
    sign in with), so it is long, random, single-use and expires.
    """

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("cohort")
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=12, choices=CohortRole)
    pilot_territory = models.ForeignKey(
        PilotTerritory, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="invitations", verbose_name=_("pilot territory"),
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("accepted by"),
    )

    class Meta:
        ordering = ["cohort", "-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["cohort", "email"], name="invitation_cohort_email")]

    def __str__(self) -> str:
        return f"{self.email} → {self.cohort}"


class CalendarTokenQuerySet(models.QuerySet):
    def active(self) -> "CalendarTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class CalendarToken(models.Model):
    """The secret of a private calendar feed URL: one person's, for one cohort or for all.

    Calendar clients cannot sign in, so the token in the URL is the credential; it is
    revoked (never deleted) when the person asks for a new address.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens",
        verbose_name=_("user"),
    )
    # Null: the personal feed, every session of every cohort the person belongs to.
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, null=True, blank=True,
        related_name="calendar_tokens", verbose_name=_("cohort"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = CalendarTokenQuerySet.as_manager()

    class Meta:
        ordering = ["user", "cohort", "-created_at"]
        verbose_name = _("calendar token")
        verbose_name_plural = _("calendar tokens")
        indexes = [models.Index(fields=["user", "cohort"], name="calendartoken_user_cohort")]

    def __str__(self) -> str:
        return f"{self.user} → {self.cohort or '*'}"


def _private_upload_path(prefix: str, filename: str) -> str:
    # A random directory: uploaded names never collide and are never guessable. Files are
    # served by permission-checked views, never straight from MEDIA_URL.
    return f"{prefix}/{secrets.token_urlsafe(16)}/{filename}"


def _material_path(instance: "SessionMaterial", filename: str) -> str:
    return _private_upload_path("parcours/supports", filename)


def _submission_file_path(instance: "SubmissionFile", filename: str) -> str:
    return _private_upload_path("parcours/rendus", filename)


class SessionMaterial(models.Model):
    """A support of a session: an uploaded file or a link (slides, a reading, a tool)."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="materials", verbose_name=_("session")
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=_material_path, max_length=300, blank=True)
    url = models.URLField(_("link"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["session", "created_at", "id"]
        verbose_name = _("session material")
        verbose_name_plural = _("session materials")
        constraints = [
            # Exactly one of a file and a link.
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")),
                name="sessionmaterial_file_xor_url",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SubmissionFile(models.Model):
    """A file handed in with a submission."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="files", verbose_name=_("submission")
    )
    file = models.FileField(_("file"), upload_to=_submission_file_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["submission", "created_at", "id"]
        verbose_name = _("submitted file")
        verbose_name_plural = _("submitted files")

    def __str__(self) -> str:
        return self.name
