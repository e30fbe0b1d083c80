"""Inviting people to a cohort and accepting an invitation (views).

The invitation token is a credential: it is shown on no page but its own, the page is
never cached, browsers are asked to send only the site's origin as Referer from it, and
its 4xx answers are not logged by Django (the request logger would write the path, token
included).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from alliances.accounts.models import User

from .forms import InvitationForm
from .models import Invitation
from .services import cohort_invite, invitation_accept, parse_invitation_emails
from .views import _visible_cohort


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = _visible_cohort(request, slug)
    if not request.user.has_perm("journeys.manage_cohort", cohort):
        raise PermissionDenied
    user = request.user
    assert isinstance(user, User)  # login_required
    form = InvitationForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitations = cohort_invite(
                cohort=cohort, emails=data["emails"], role=data["role"], invited_by=user,
                pilot_territory=data["pilot_territory"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            _report_sent(request, invitations, parse_invitation_emails(data["emails"]))
            return redirect("journeys:cohort", slug=cohort.slug)
    pending = (
        cohort.invitations.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("pilot_territory")
        .order_by("-created_at", "email")
    )
    return render(
        request, "journeys/invite.html", {"cohort": cohort, "form": form, "pending": pending}
    )


def _report_sent(
    request: HttpRequest, invitations: list[Invitation], addresses: list[str]
) -> None:
    count = len(invitations)
    messages.success(
        request,
        ngettext("%(count)d invitation sent.", "%(count)d invitations sent.", count)
        % {"count": count},
    )
    invited = {invitation.email for invitation in invitations}
    skipped = [address for address in addresses if address not in invited]
    if skipped:
        messages.info(
            request,
            ngettext(
                "Already a member, not invited again: %(emails)s.",
                "Already members, not invited again: %(emails)s.",
                len(skipped),
            ) % {"emails": ", ".join(skipped)},
        )


def _invitation_problem(invitation: Invitation) -> str | None:
    # The same messages as invitation_accept's, shown before anyone presses the button.
    if invitation.accepted_at is not None:
        return _("This invitation link is not valid or has already been used.")
    if invitation.expires_at <= timezone.now():
        return _("This invitation has expired: ask the animateur for a new one.")
    return None


def _private(response: HttpResponse) -> HttpResponse:
    # Links from this page send at most the site's origin, never the path with the token.
    # Not "no-referrer": under it browsers send "Origin: null" with the page's POST forms
    # (accept, log out), and Django's CSRF check refuses them.
    response["Referrer-Policy"] = "strict-origin"
    if response.status_code >= 400:
        # Django's request logger would write the path, and the path holds the token.
        response._has_been_logged = True  # type: ignore[attr-defined]
    return response


@never_cache
def accept(request: HttpRequest, token: str) -> HttpResponse:
    # Methods checked here, not with require_http_methods: that one logs the path.
    if request.method not in {"GET", "HEAD", "POST"}:
        return _private(HttpResponseNotAllowed(["GET", "HEAD", "POST"]))
    invitation = (
        Invitation.objects.select_related("cohort", "invited_by", "pilot_territory")
        .filter(token=token)
        .first()
    )
    if invitation is None:
        unknown = _("This invitation link is not valid or has already been used.")
        return _private(
            render(request, "journeys/invitation.html", {"error": unknown}, status=404)
        )
    error = _invitation_problem(invitation)
    if request.method == "POST" and error is None:
        if not request.user.is_authenticated:
            return _private(redirect_to_login(request.path))
        user = request.user
        assert isinstance(user, User)
        try:
            invitation_accept(token=token, user=user)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(
                request,
                _("Welcome to %(cohort)s!") % {"cohort": invitation.cohort.name},
            )
            return _private(redirect("journeys:cohort", slug=invitation.cohort.slug))
    context = {"invitation": invitation, "cohort": invitation.cohort, "error": error}
    return _private(render(request, "journeys/invitation.html", context))


urlpatterns: list[URLPattern] = [
    path("<slug:slug>/animation/inviter/", invite, name="invite"),
    path("invitation/<str:token>/", accept, name="invitation"),
]
