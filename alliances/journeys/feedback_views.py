"""The short feedback form of a session (views): a rating from 1 to 5 and a comment.

A private cohort answers 404 to those outside it, so its existence does not leak.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alliances.accounts.models import User

from .models import CohortMember, Feedback, Session
from .services import feedback_give

RATINGS = (1, 2, 3, 4, 5)


def _rating_choices() -> list[tuple[int, str]]:
    labels = {
        1: _("not useful"),
        2: _("not very useful"),
        3: _("fairly useful"),
        4: _("useful"),
        5: _("very useful"),
    }
    return [(value, labels[value]) for value in RATINGS]


def _parse_rating(raw: str | None) -> int | None:
    try:
        value = int(raw or "")
    except ValueError:
        return None
    return value if value in RATINGS else None


@login_required
@require_http_methods(["GET", "POST"])
def session_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("cohort", "kind"), pk=pk)
    cohort = session.cohort
    if not request.user.has_perm("journeys.view_cohort", cohort):
        raise Http404
    user = request.user
    assert isinstance(user, User)  # login_required
    existing = Feedback.objects.filter(session=session, user=user).first()
    rating: str = str(existing.rating) if existing else ""
    comment: str = existing.comment if existing else ""
    errors: list[str] = []
    rating_error = ""
    is_member = CohortMember.objects.filter(cohort_id=cohort.pk, user=user).exists()
    if request.method == "POST" and not is_member:
        raise PermissionDenied  # the page itself explains who gives feedback
    if request.method == "POST":
        rating = request.POST.get("rating", "")
        comment = request.POST.get("comment", "")
        value = _parse_rating(rating)
        if value is None:
            rating_error = _("Choose a rating from 1 to 5.")
            errors = [rating_error]
        else:
            try:
                feedback_give(session=session, user=user, rating=value, comment=comment)
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(
                    request,
                    _("Thank you for your feedback on “%(title)s”.") % {"title": session.title},
                )
                url = reverse("journeys:cohort", args=[cohort.slug])
                return redirect(f"{url}#session-{session.pk}")
    context: dict[str, Any] = {
        "session": session,
        "cohort": cohort,
        "started": session.start <= timezone.now(),
        "is_member": is_member,
        "choices": _rating_choices(),
        "rating": rating,
        "comment": comment,
        "errors": errors,
        "rating_error": rating_error,
    }
    return render(request, "journeys/feedback.html", context)


urlpatterns: list[URLPattern] = [
    path("seances/<int:pk>/avis/", session_feedback, name="session_feedback"),
]
