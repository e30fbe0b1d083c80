"""Co-development facilitator: rounds, roles, time boxes, shared notes, action plans.

A round's clock is the pure `alliances.lib.codev.RoundState`, persisted in four fields.
`version` grows on every write to the round or its board: the pollers of every open
browser compare it with the one they show, and an unchanged round answers 204.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from alliances.journeys.models import Session
from alliances.lib import codev

NOTE_MAX_CHARS = 2000
LEARNING_MAX_CHARS = 2000
ACTION_TITLE_MAX_CHARS = 200


def _validate_timeboxes(value) -> None:
    try:
        codev.validate_timeboxes(value if isinstance(value, dict) else {})
    except ValueError as error:
        raise ValidationError(
            _("Invalid time boxes: each step takes %(min)s to %(max)s minutes."),
            params={"min": codev.MIN_MINUTES, "max": codev.MAX_MINUTES},
            code="timeboxes",
        ) from error


class Round(models.Model):
    """One client's problem worked through the six steps, within a co-development session."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="codev_rounds", verbose_name=_("session")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    problem = models.CharField(_("problem"), max_length=200, blank=True)
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="codev_rounds_as_client",
        verbose_name=_("client"),
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="codev_rounds_facilitated",
        verbose_name=_("animateur"),
    )
    consultants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="codev_rounds_as_consultant",
        verbose_name=_("consultants"),
    )
    # The persisted RoundState (see alliances.lib.codev for the clock model).
    step_index = models.PositiveSmallIntegerField(_("step"), default=0)
    step_started_at = models.DateTimeField(null=True, blank=True)
    paused_remaining_s = models.IntegerField(null=True, blank=True)
    timeboxes = models.JSONField(
        _("time boxes (minutes)"),
        default=codev.default_timeboxes,
        validators=[_validate_timeboxes],
    )
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["session", "position"]
        verbose_name = _("co-development round")
        verbose_name_plural = _("co-development rounds")
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="codev_round_position"),
            models.CheckConstraint(
                condition=Q(step_index__lte=len(codev.STEPS)), name="codev_round_step_index"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} — {self.client}"

    @property
    def cohort_id(self) -> int:
        """For the cohort predicates of alliances.journeys.rules."""
        return self.session.cohort_id

    @property
    def state(self) -> codev.RoundState:
        return codev.RoundState(
            step_index=self.step_index,
            step_started_at=self.step_started_at,
            paused_remaining_s=self.paused_remaining_s,
            timeboxes=self.timeboxes,
        )

    def set_state(self, state: codev.RoundState) -> None:
        self.step_index = state.step_index
        self.step_started_at = state.step_started_at
        self.paused_remaining_s = state.paused_remaining_s
        self.timeboxes = dict(state.timeboxes)

    @property
    def is_finished(self) -> bool:
        return self.step_index >= len(codev.STEPS)

    @property
    def current_step(self) -> codev.Step | None:
        return None if self.is_finished else codev.STEPS[self.step_index]


class Note(models.Model):
    """A card on the shared board of one step of a round."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="notes", verbose_name=_("round")
    )
    step = models.CharField(
        _("step"), max_length=20, choices=[(s.code, s.name) for s in codev.STEPS]
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("note"), max_length=NOTE_MAX_CHARS)
    position = models.PositiveIntegerField(_("position"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["round", "position"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        constraints = [
            models.UniqueConstraint(fields=["round", "position"], name="codev_note_position"),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class ActionItemQuerySet(models.QuerySet):
    def for_user(self, user) -> "ActionItemQuerySet":
        return self.filter(round__client=user)


class ActionItem(models.Model):
    """One action of the client's plan, with a date: what lands in the client's space."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="action_items", verbose_name=_("round")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("action"), max_length=ACTION_TITLE_MAX_CHARS)
    due = models.DateField(_("due date"))
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["round", "position"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.UniqueConstraint(fields=["round", "position"], name="codev_action_position"),
            models.CheckConstraint(
                condition=Q(done=False) | Q(done_at__isnull=False), name="codev_action_done_at"
            ),
        ]
        indexes = [models.Index(fields=["round", "done", "due"], name="codev_action_round")]

    def __str__(self) -> str:
        return self.title


class Learning(models.Model):
    """What one person learned from a round (step 6), one per person and round."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="learnings", verbose_name=_("round")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="codev_learnings",
        verbose_name=_("user"),
    )
    text = models.TextField(_("learning"), max_length=LEARNING_MAX_CHARS)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["round", "updated_at", "id"]
        verbose_name = _("learning")
        verbose_name_plural = _("learnings")
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="codev_learning_unique"),
        ]

    def __str__(self) -> str:
        return self.text[:60]
