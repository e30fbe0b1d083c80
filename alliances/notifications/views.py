"""Pages of one's own notifications: the list, following one (which marks it read), marking
them all read, and the e-mail frequency. Only the recipient sees a notification: anyone
else gets 404, so their existence does not leak.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliances.accounts.models import User

from .forms import DigestPreferenceForm
from .models import DigestFrequency, Notification
from .selectors import digest_frequency_of
from .services import (
    digest_preference_set,
    notification_open,
    notifications_mark_all_read,
)

PER_PAGE = 30


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # login_required
    notifications = Notification.objects.for_user(user).select_related("cohort", "actor")
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    unread = Notification.objects.for_user(user).unread().count()
    frequency = DigestFrequency(digest_frequency_of(user))
    return render(
        request,
        "notifications/index.html",
        {"page": page, "unread": unread, "frequency": frequency},
    )


@login_required
@require_GET
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # login_required
    notification = Notification.objects.filter(pk=pk, recipient_id=user.pk).first()
    if notification is None:
        raise Http404
    url = notification_open(notification=notification, user=user)
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        url = reverse("notifications:index")
    return redirect(url)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # login_required
    count = notifications_mark_all_read(user=user)
    if count:
        messages.success(request, _("All your notifications are marked read."))
    return redirect("notifications:index")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # login_required
    if request.method == "POST":
        form = DigestPreferenceForm(request.POST)
        if form.is_valid():
            digest_preference_set(user=user, frequency=form.cleaned_data["frequency"])
            messages.success(request, _("Your e-mail preference is saved."))
            return redirect("notifications:preferences")
    else:
        form = DigestPreferenceForm(initial={"frequency": digest_frequency_of(user)})
    return render(request, "notifications/preferences.html", {"form": form})
