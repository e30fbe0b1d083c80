import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from alliances.actors.models import Membership

from . import services
from .forms import AccountDeleteForm, ProfileForm
from .gdpr import user_export
from .models import User


class AuthenticatedRequest(HttpRequest):
    """What @login_required guarantees, for the type checker."""

    user: User


@login_required
def profile(request: AuthenticatedRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )
    return render(request, "accounts/profile.html", {"memberships": memberships})


@login_required
def profile_edit(request: AuthenticatedRequest) -> HttpResponse:
    form = ProfileForm.for_user(request.user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile_edit.html", {"form": form})


@never_cache
@require_POST
@login_required
def data_export(request: AuthenticatedRequest) -> HttpResponse:
    data = user_export(request.user)
    filename = f"alliances-my-data-{timezone.localdate():%Y-%m-%d}.json"
    return HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@never_cache
@login_required
def account_delete(request: AuthenticatedRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_delete(user=request.user)
        logout(request)
        messages.success(request, _("Your account has been deleted."))
        return redirect("core:home")
    return render(request, "accounts/account_delete.html", {"form": form})
