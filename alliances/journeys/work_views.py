"""Individual work: a participant's assignment page and hand-in, the files, the review.

The assignment page and the files are for the cohort's members (and platform admins);
others get 404, whatever the cohort's visibility: work is never public. A file is
served to its author, the cohort's animateurs and platform admins only. The review page
is the animateurs'; it works without JS and re-renders one row under htmx.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliances.accounts.models import User
from alliances.core.uploads import DOCUMENTS_AND_IMAGES, validate_upload

from .models import (
    Assignment,
    CohortMember,
    CohortRole,
    Submission,
    SubmissionFile,
    SubmissionStatus,
)
from .selectors import DONE
from .services import PARIS
from .submissions import (
    MAX_FILES,
    REVIEW_STATUSES,
    submission_file_remove,
    submission_hand_in,
    submission_review,
)

MAX_BYTES = 10 * 1024 * 1024


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class HandInForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your work"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    files = MultipleFileField(  # type: ignore[assignment]  # a field, not BaseForm.files
        label=gettext_lazy("Files"),
        required=False,
        help_text=gettext_lazy("Up to 5 files: documents or images, 10 MB each."),
    )

    def clean_files(self) -> list:
        files = self.cleaned_data.get("files") or []
        if len(files) > MAX_FILES:
            raise ValidationError(_("At most %(max)d files per work.") % {"max": MAX_FILES})
        for upload in files:
            validate_upload(upload, allowed=DOCUMENTS_AND_IMAGES, max_bytes=MAX_BYTES)
        return files


class ReviewForm(forms.Form):
    feedback = forms.CharField(
        label=gettext_lazy("Feedback"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[(s.value, s.label) for s in REVIEW_STATUSES],
        widget=forms.RadioSelect,
    )


def _member(user: Any, cohort_id: int) -> CohortMember | None:
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return None
    return CohortMember.objects.filter(cohort_id=cohort_id, user=user).first()


def _is_admin(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.is_platform_admin
    )


def _assignment_for(request: HttpRequest, pk: int) -> tuple[Assignment, CohortMember | None]:
    assignment = get_object_or_404(
        Assignment.objects.select_related("cohort", "kind", "phase"), pk=pk
    )
    membership = _member(request.user, assignment.cohort_id)
    if membership is None and not _is_admin(request.user):
        raise Http404
    return assignment, membership


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assignment, membership = _assignment_for(request, pk)
    user = request.user
    assert isinstance(user, User)  # login_required
    is_participant = membership is not None and membership.role == CohortRole.PARTICIPANT
    submission = (
        Submission.objects.prefetch_related("files")
        .filter(assignment=assignment, user=user)
        .first()
        if is_participant
        else None
    )
    form = None
    status = 200
    if is_participant and (submission is None or submission.status != SubmissionStatus.VALIDE):
        if request.method == "POST":
            form = HandInForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    submission_hand_in(
                        assignment=assignment,
                        user=user,
                        text=form.cleaned_data["text"],
                        files=form.cleaned_data["files"],
                    )
                except ValidationError as error:
                    _apply_errors(form, error)
                else:
                    messages.success(request, _("Your work is handed in."))
                    return redirect("journeys:assignment", pk=assignment.pk)
            status = 200
        else:
            form = HandInForm(initial={"text": submission.text if submission else ""})
    elif request.method == "POST":
        raise PermissionDenied
    today = timezone.localdate(timezone.now(), PARIS)
    current = submission.status if submission else SubmissionStatus.A_FAIRE
    handed_late = bool(
        submission
        and submission.submitted_at
        and timezone.localdate(submission.submitted_at, PARIS) > assignment.due
    )
    can_review = _is_admin(user) or (
        membership is not None and membership.role == CohortRole.ANIMATEUR
    )
    context = {
        "assignment": assignment,
        "cohort": assignment.cohort,
        "membership": membership,
        "submission": submission,
        "files": list(submission.files.all()) if submission else [],
        "status": current,
        "status_label": SubmissionStatus(current).label,
        "late": current not in DONE and assignment.due < today,
        "handed_late": handed_late,
        "form": form,
        "max_files": MAX_FILES,
        "can_review": can_review,
        "is_participant": is_participant,
    }
    return render(request, "journeys/work_assignment.html", context, status=status)


@login_required
@require_GET
def submission_file_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = get_object_or_404(SubmissionFile.objects.select_related("submission__assignment"), pk=pk)
    if not request.user.has_perm("journeys.view_submission", item.submission):
        raise Http404
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, as_attachment=True, filename=item.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def submission_file_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(SubmissionFile.objects.select_related("submission"), pk=pk)
    user = request.user
    assert isinstance(user, User)  # login_required
    if item.submission.user_id != user.pk:
        raise Http404
    try:
        submission_file_remove(item=item, user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(name)s” is removed.") % {"name": item.name})
    return redirect("journeys:assignment", pk=item.submission.assignment_id)


def _reviewable(request: HttpRequest, pk: int) -> tuple[Assignment, CohortMember | None]:
    assignment, membership = _assignment_for(request, pk)
    if not (
        _is_admin(request.user)
        or (membership is not None and membership.role == CohortRole.ANIMATEUR)
    ):
        raise PermissionDenied
    return assignment, membership


def _rows(assignment: Assignment) -> list[dict[str, Any]]:
    """Every participant of the cohort with their submission, handed in or not."""
    members = list(
        CohortMember.objects.filter(cohort_id=assignment.cohort_id, role=CohortRole.PARTICIPANT)
        .select_related("user", "pilot_territory")
        .order_by("pilot_territory__name", "user__display_name", "user__email")
    )
    submissions = {
        s.user_id: s
        for s in Submission.objects.filter(assignment=assignment).prefetch_related(
            Prefetch("files", queryset=SubmissionFile.objects.order_by("created_at", "id"))
        )
    }
    return [_row(assignment, m, submissions.get(m.user_id)) for m in members]


def _row(
    assignment: Assignment,
    member: CohortMember,
    submission: Submission | None,
    form: ReviewForm | None = None,
) -> dict[str, Any]:
    today = timezone.localdate(timezone.now(), PARIS)
    status = submission.status if submission else SubmissionStatus.A_FAIRE
    handed = submission is not None and status != SubmissionStatus.A_FAIRE
    if form is None and handed:
        assert submission is not None
        form = ReviewForm(
            initial={"feedback": submission.feedback, "status": submission.status},
            prefix=f"s{submission.pk}",
        )
    return {
        "member": member,
        "submission": submission,
        "status": status,
        "status_label": SubmissionStatus(status).label,
        "handed": handed,
        "late": (not handed and assignment.due < today)
        or bool(
            handed
            and submission
            and submission.submitted_at
            and timezone.localdate(submission.submitted_at, PARIS) > assignment.due
        ),
        "form": form,
    }


@login_required
@require_GET
def review_list(request: HttpRequest, pk: int) -> HttpResponse:
    assignment, membership = _reviewable(request, pk)
    rows = _rows(assignment)
    handed = sum(1 for row in rows if row["handed"])
    approved = sum(1 for row in rows if row["status"] == SubmissionStatus.VALIDE)
    context = {
        "assignment": assignment,
        "cohort": assignment.cohort,
        "rows": rows,
        "handed": handed,
        "approved": approved,
    }
    return render(request, "journeys/work_review.html", context)


@login_required
@require_POST
def review_submit(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(
        Submission.objects.select_related("assignment__cohort", "assignment__kind"), pk=pk
    )
    assignment, _membership = _reviewable(request, submission.assignment_id)
    form = ReviewForm(request.POST, prefix=f"s{submission.pk}")
    saved = False
    if form.is_valid():
        try:
            submission = submission_review(
                submission=submission,
                feedback=form.cleaned_data["feedback"],
                status=form.cleaned_data["status"],
                reviewer=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            saved = True
    htmx = request.headers.get("HX-Request") == "true"
    if saved and not htmx:
        messages.success(request, _("Your review is saved."))
        return redirect("journeys:assignment_review", pk=assignment.pk)
    member = get_object_or_404(
        CohortMember.objects.select_related("user", "pilot_territory"),
        cohort_id=assignment.cohort_id,
        user_id=submission.user_id,
    )
    row = _row(assignment, member, submission, None if saved else form)
    context = {"assignment": assignment, "cohort": assignment.cohort, "row": row, "saved": saved}
    if htmx:
        return TemplateResponse(request, "journeys/work_review.html#review_row", context)
    # Without JS, errors show on the whole page with the other rows.
    rows = [row if r["member"].pk == member.pk else r for r in _rows(assignment)]
    context.update(
        rows=rows,
        handed=sum(1 for r in rows if r["handed"]),
        approved=sum(1 for r in rows if r["status"] == SubmissionStatus.VALIDE),
    )
    return render(request, "journeys/work_review.html", context)


urlpatterns: list[URLPattern] = [
    path("travaux/<int:pk>/", assignment_detail, name="assignment"),
    path("travaux/<int:pk>/rendus/", review_list, name="assignment_review"),
    path("rendus/<int:pk>/avis/", review_submit, name="submission_review"),
    path("rendus/fichiers/<int:pk>/", submission_file_download, name="submission_file"),
    path(
        "rendus/fichiers/<int:pk>/retirer/",
        submission_file_remove_view,
        name="submission_file_remove",
    ),
]
