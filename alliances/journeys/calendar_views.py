"""Private calendar feeds: per person and per cohort, at revocable token URLs (views).

Calendar clients cannot sign in, so the token in the feed's URL is the credential: the
feed answers 404 to an unknown or revoked token, shows only cohorts the token's owner
still belongs to, and neither the feed nor the page that shows the addresses is cached
or sent on as Referer; the path is redacted from logs (alliances.lib.redact).
"""


from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from alliances.accounts.models import User
from alliances.lib.ical import feed

from .feeds import session_events
from .models import CalendarToken, Cohort, CohortMember, Session
from .services import calendar_token_get_or_create, calendar_token_rotate


def _feed_url(request: HttpRequest, token: CalendarToken) -> dict[str, str]:
    url = request.build_absolute_uri(reverse("journeys:calendar_feed", args=[token.token]))
    return {"url": url, "webcal": "webcal://" + url.split("://", 1)[1]}


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def calendars(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # login_required
    if request.method == "POST":
        raw = request.POST.get("cohort", "")
        if raw and not raw.isdigit():
            raise Http404
        cohort = get_object_or_404(Cohort, pk=int(raw)) if raw else None
        try:
            calendar_token_rotate(user=user, cohort=cohort)
        except ValidationError as error:  # not a member: the cohort is not found for them
            raise Http404 from error
        return redirect("journeys:calendars")
    cohorts = Cohort.objects.filter(members__user=user).order_by("-start", "name")
    feeds = [
        {
            "cohort": cohort,
            "field_id": f"calendar-{cohort.pk}",
            **_feed_url(request, calendar_token_get_or_create(user=user, cohort=cohort)),
        }
        for cohort in cohorts
    ]
    personal = _feed_url(request, calendar_token_get_or_create(user=user))
    response = render(
        request, "journeys/calendars.html", {"personal": personal, "feeds": feeds}
    )
    # Links from this page send only the origin (no-referrer would break its POST forms).
    response["Referrer-Policy"] = "strict-origin"
    return response


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    found = (
        CalendarToken.objects.active()
        .select_related("user", "cohort")
        .filter(token=token, user__is_active=True)
        .first()
        if request.method in {"GET", "HEAD"}
        else None
    )
    if found is None:
        response = HttpResponse(status=404 if request.method in {"GET", "HEAD"} else 405)
        response["Referrer-Policy"] = "no-referrer"
        # Django's request logger would write the path, and the path holds the token.
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response
    # Only cohorts the person still belongs to: a removed member's feed loses them.
    cohort_ids: QuerySet = CohortMember.objects.filter(user=found.user).values("cohort_id")
    if found.cohort is not None:
        if found.user.is_platform_admin:
            cohort_ids = Cohort.objects.filter(pk=found.cohort.pk).values("pk")
        else:
            cohort_ids = cohort_ids.filter(cohort=found.cohort)
    sessions = Session.objects.filter(cohort__in=cohort_ids).select_related("kind", "cohort")
    name = found.cohort.name if found.cohort is not None else "Alliances"
    response = HttpResponse(
        feed(name=name, events=session_events(request, sessions)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="calendrier.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["Referrer-Policy"] = "no-referrer"
    return response


urlpatterns: list[URLPattern] = [
    path("calendriers/", calendars, name="calendars"),
    path("calendrier/<str:token>.ics", calendar_feed, name="calendar_feed"),
]
