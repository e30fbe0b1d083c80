"""Write services of the individual work: a participant hands in, an animateur reviews.

They supersede `services.submission_save` and `services.submission_review` for the pages:
a hand-in carries text and up to five files, and can be repeated until the work is
approved; a review gives feedback and sets the status (handed in, to rework, approved).
Both notify: the animateurs of a hand-in, the participant of a review.
"""

from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.accounts.models import User
from alliances.notifications.models import NotificationKind
from alliances.notifications.services import notify

from .models import (
    Assignment,
    CohortMember,
    CohortRole,
    Submission,
    SubmissionFile,
    SubmissionStatus,
)
from .pagecache import cohort_pages_changed

MAX_FILES = 5
# Statuses an animateur may set on handed-in work.
REVIEW_STATUSES = (SubmissionStatus.RENDU, SubmissionStatus.A_REPRENDRE, SubmissionStatus.VALIDE)


def _is_participant(assignment: Assignment, user: User) -> bool:
    return CohortMember.objects.filter(
        cohort_id=assignment.cohort_id, user=user, role=CohortRole.PARTICIPANT
    ).exists()


@transaction.atomic
def submission_hand_in(
    *, assignment: Assignment, user: User, text: str, files: list[UploadedFile] | None = None
) -> Submission:
    """Hand in (or hand in again) a participant's work: text and/or files.

    Files add to those already handed in, five at most in all; their kind and size are
    checked by the form (`validate_upload`) before this. Approved work no longer changes.
    """
    files = list(files or [])
    if not _is_participant(assignment, user):
        raise ValidationError(_("Only the participants of the cohort hand in work."))
    # Two hand-ins at once (a double click) meet on the row: created once, then locked.
    created, _new = Submission.objects.get_or_create(assignment=assignment, user=user)
    submission = Submission.objects.select_for_update().get(pk=created.pk)
    if submission.status == SubmissionStatus.VALIDE:
        raise ValidationError(_("This work has been approved and can no longer change."))
    existing = submission.files.count()
    if existing + len(files) > MAX_FILES:
        raise ValidationError(
            {
                "files": _("At most %(max)d files per work (%(existing)d already handed in).")
                % {"max": MAX_FILES, "existing": existing}
            }
        )
    if not text.strip() and not files and not existing:
        raise ValidationError({"text": _("Write your work or attach a file before handing it in.")})
    submission.text = text
    submission.status = SubmissionStatus.RENDU
    submission.submitted_at = timezone.now()
    submission.full_clean()
    submission.save()
    for upload in files:
        SubmissionFile.objects.create(
            submission=submission,
            file=upload,
            name=(upload.name or "")[:200],
            size=upload.size or 0,
        )
    # The participant's to-dos and the console's progress.
    cohort_pages_changed(assignment.cohort_id)
    notify(
        recipients=User.objects.filter(
            cohort_memberships__cohort_id=assignment.cohort_id,
            cohort_memberships__role=CohortRole.ANIMATEUR,
        ),
        kind=NotificationKind.WORK_HANDED_IN,
        title=_("%(person)s handed in “%(title)s”") % {"person": user, "title": assignment.title},
        url=reverse("journeys:assignment_review", args=[assignment.pk]),
        actor=user,
        cohort=assignment.cohort,
    )
    return submission


@transaction.atomic
def submission_review(
    *, submission: Submission, feedback: str, status: str, reviewer: User | None = None
) -> Submission:
    """The animateur's feedback on handed-in work, and its status (handed in, to rework or
    approved); the participant is notified."""
    if status not in REVIEW_STATUSES:
        raise ValidationError({"status": _("Choose “handed in”, “to rework” or “approved”.")})
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status == SubmissionStatus.A_FAIRE:
        raise ValidationError(_("This work has not been handed in yet."))
    submission.feedback = feedback
    submission.status = status
    submission.full_clean()
    submission.save()
    assignment = submission.assignment
    cohort_pages_changed(assignment.cohort_id)
    notify(
        recipients=[submission.user],
        kind=NotificationKind.WORK_REVIEWED,
        title=_("Feedback on “%(title)s”: %(status)s")
        % {"title": assignment.title, "status": SubmissionStatus(status).label},
        url=reverse("journeys:assignment", args=[assignment.pk]),
        actor=reviewer,
        cohort=assignment.cohort,
    )
    return submission


@transaction.atomic
def submission_file_remove(*, item: SubmissionFile, user: User) -> None:
    """The author removes a file from work not yet approved; storage is cleaned on commit."""
    submission = Submission.objects.select_for_update().get(pk=item.submission_id)
    if submission.user_id != user.pk:
        raise ValidationError(_("Only the author removes a file from their work."))
    if submission.status == SubmissionStatus.VALIDE:
        raise ValidationError(_("This work has been approved and can no longer change."))
    stored, storage = item.file.name, item.file.storage
    item.delete()
    if stored:
        transaction.on_commit(partial(storage.delete, stored))
