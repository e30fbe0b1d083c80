"""The public questionnaire: respondents answer a wave with no account, often on a phone.

Two ways in. An invitation's token link (`repondre/<token>/`) is one respondent's: their
answers are saved under it page by page, and the same link resumes them. The wave's open
link (`enquete/<open_key>/`, only when the analyst turned it on) starts a new response for
anyone, at most OBSERVATORY_OPEN_LINK_RATE per client address; that response is resumed with
its own link (`reprendre/<resume_key>/`), also remembered in the visitor's session. Turning
the open link off stops new responses; drafts already started may still be finished.

Either way: a welcome page, one page per group of questions, a review page that sends the
answers, a thank-you page. Every page works without JavaScript, is never cached nor indexed,
and shows nothing of the respondent but their own answers. An unknown link answers 404; a
response already sent, "already answered"; a wave that is not en collecte, 410, and a POST
to it saves nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from alliances.core import ratelimit

from . import collection
from . import questionnaire_forms as forms
from .models import Invitation, Wave, WebResponse

INVITATION, RESUME = "invitation", "resume"
SESSION_KEY = "observatory_responses"  # {wave id: resume_key} of the visitor's open drafts
SECONDS_PER_QUESTION = 20  # for the welcome page's "about N minutes"


@dataclass
class Respondent:
    """Who answers, as their link says: the wave, and the response once started."""

    via: str  # INVITATION or RESUME
    key: str  # the invitation's token or the response's resume_key
    wave: Wave
    invitation: Invitation | None
    response: WebResponse | None

    def url(self, view: str = "", *args) -> str:
        name = f"observatory:answer_{self.via}" + (f"_{view}" if view else "")
        return reverse(name, args=[self.key, *args])

    @property
    def answers(self) -> dict:
        return self.response.answers if self.response is not None else {}

    @property
    def submitted(self) -> bool:
        return self.response is not None and self.response.status == WebResponse.Status.SUBMITTED


def _respondent(via: str, key: str) -> Respondent:
    if via == INVITATION:
        invitation = get_object_or_404(
            Invitation.objects.select_related("wave__survey", "response"), token=key
        )
        return Respondent(via, key, invitation.wave, invitation,
                          getattr(invitation, "response", None))
    response = get_object_or_404(
        WebResponse.objects.select_related("wave__survey"), resume_key=key,
        invitation__isnull=True,
    )
    return Respondent(via, key, response.wave, None, response)


def _render(request: HttpRequest, template: str, context: dict, status: int = 200,
            **headers: str) -> HttpResponse:
    response = render(request, f"observatory/questionnaire/{template}", context, status=status)
    # Answers and resume links are personal: never kept by a browser or a proxy, never indexed.
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _closed(request: HttpRequest, wave: Wave) -> HttpResponse:
    return _render(request, "closed.html", {"wave": wave, "survey": wave.survey}, status=410)


def _gate(request: HttpRequest, r: Respondent) -> HttpResponse | None:
    """The page to show instead of the questionnaire, if any."""
    if r.submitted:
        return _render(request, "answered.html", {"wave": r.wave, "survey": r.wave.survey})
    if not r.wave.accepts_answers:
        return _closed(request, r.wave)
    return None


def _refused(request: HttpRequest, r: Respondent, error: collection.CollectionError):
    """A write refused by the services because the state changed under the page."""
    if isinstance(error, collection.AlreadySubmitted):
        return redirect(r.url("thanks"))
    return _closed(request, r.wave)


def _context(r: Respondent, questionnaire: collection.Questionnaire, **extra) -> dict:
    return {"r": r, "wave": r.wave, "survey": r.wave.survey, "questionnaire": questionnaire,
            "steps": len(questionnaire.pages) + 1, **extra}


def _remember(request: HttpRequest, response: WebResponse) -> None:
    drafts = dict(request.session.get(SESSION_KEY, {}))
    drafts[str(response.wave_id)] = response.resume_key
    request.session[SESSION_KEY] = drafts


def _forget(request: HttpRequest, wave_id: int) -> None:
    drafts = dict(request.session.get(SESSION_KEY, {}))
    if drafts.pop(str(wave_id), None) is not None:
        request.session[SESSION_KEY] = drafts


def _session_draft(request: HttpRequest, wave: Wave) -> WebResponse | None:
    key = request.session.get(SESSION_KEY, {}).get(str(wave.pk))
    if not key:
        return None
    return WebResponse.objects.filter(
        wave=wave, resume_key=key, invitation__isnull=True, status=WebResponse.Status.DRAFT
    ).first()


def _user(request: HttpRequest):
    return request.user if request.user.is_authenticated else None


def _welcome(request: HttpRequest, r: Respondent | None, wave: Wave, **extra) -> HttpResponse:
    questionnaire = collection.questionnaire_of(wave)
    count = len(questionnaire.items)
    minutes = max(1, math.ceil(count * SECONDS_PER_QUESTION / 60))
    context = {"r": r, "wave": wave, "survey": wave.survey, "questions": count,
               "minutes": minutes, "start": r.url("page", 1) if r else "", **extra}
    return _render(request, "welcome.html", context)


# -- the views ------------------------------------------------------------------------------


@require_http_methods(["GET"])
def welcome(request: HttpRequest, via: str, key: str) -> HttpResponse:
    r = _respondent(via, key)
    if (refused := _gate(request, r)) is not None:
        return refused
    return _welcome(request, r, r.wave)


@require_http_methods(["GET", "POST"])
def open_link(request: HttpRequest, key: str) -> HttpResponse:
    """The open link's welcome page; its "Commencer" starts a response (rate-limited), or
    takes back the one this browser left unfinished."""
    wave = get_object_or_404(Wave.objects.select_related("survey"), open_key=key,
                             open_link=True)
    if not wave.accepts_answers:
        return _closed(request, wave)
    draft = _session_draft(request, wave)
    if request.method == "GET":
        return _welcome(request, None, wave, draft=draft)
    if draft is None:
        wait = collection.open_link_throttle(client_ip=ratelimit.client_ip(request))
        if wait:
            return _render(request, "too_many.html", {"wave": wave, "survey": wave.survey,
                                                       "minutes": math.ceil(wait / 60)},
                           status=429, Retry_After=str(wait))
        try:
            draft = collection.response_start_open(wave=wave, user=_user(request))
        except collection.AlreadySubmitted:
            return _render(request, "answered.html", {"wave": wave, "survey": wave.survey})
        except collection.CollectionError:
            return _closed(request, wave)
    _remember(request, draft)
    return redirect("observatory:answer_resume_page", draft.resume_key, 1)


@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, via: str, key: str, step: int) -> HttpResponse:
    r = _respondent(via, key)
    if (refused := _gate(request, r)) is not None:
        return refused
    questionnaire = collection.questionnaire_of(r.wave)
    if not 1 <= step <= len(questionnaire.pages):
        raise Http404
    current = questionnaire.pages[step - 1]
    values, errors = r.answers, {}
    if request.method == "POST":
        action = request.POST.get("_action", "next")
        values = forms.page_answers(current, request.POST)
        try:
            _save(request, r, values, step, check_required=action == "next")
        except collection.AnswerError as error:
            errors = error.errors
        except collection.CollectionError as error:
            return _refused(request, r, error)
        else:
            if action == "later":
                return redirect(f"{r.url('saved')}?etape={step}")
            if action == "previous":
                return redirect(r.url("page", step - 1) if step > 1 else r.url())
            if step < len(questionnaire.pages):
                return redirect(r.url("page", step + 1))
            return redirect(r.url("review"))
    context = _context(r, questionnaire, page=current, step=step, errors=errors,
                       fields=forms.page_fields(current, values, errors))
    return _render(request, "page.html", context, status=400 if errors else 200)


def _save(request: HttpRequest, r: Respondent, values: dict, step: int, *,
          check_required: bool) -> None:
    # An invitation's response starts with its first saved page: one transaction, so a page
    # refused leaves no empty draft behind.
    with transaction.atomic():
        if r.response is None:
            assert r.invitation is not None
            r.response = collection.response_for_invitation(invitation=r.invitation,
                                                            user=_user(request))
        collection.response_save(response=r.response, answers=values, page=step,
                                 check_required=check_required, user=_user(request))


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, via: str, key: str) -> HttpResponse:
    r = _respondent(via, key)
    if (refused := _gate(request, r)) is not None:
        return refused
    questionnaire = collection.questionnaire_of(r.wave)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            with transaction.atomic():
                if r.response is None:
                    assert r.invitation is not None
                    r.response = collection.response_for_invitation(
                        invitation=r.invitation, user=_user(request))
                collection.response_submit(response=r.response)
        except collection.AnswerError as error:
            errors = error.errors
        except collection.CollectionError as error:
            return _refused(request, r, error)
        else:
            if via == RESUME:
                _forget(request, r.wave.pk)
            return redirect(r.url("thanks"))
    context = _context(r, questionnaire, step=len(questionnaire.pages) + 1,
                       pages=forms.review_pages(questionnaire, r.answers, errors,
                                                page_url=lambda n: r.url("page", n)),
                       errors=errors)
    return _render(request, "review.html", context, status=400 if errors else 200)


@require_http_methods(["GET"])
def saved(request: HttpRequest, via: str, key: str) -> HttpResponse:
    """Where "save and come back later" lands: the link that resumes the answers."""
    r = _respondent(via, key)
    if (refused := _gate(request, r)) is not None:
        return refused
    pages = len(collection.questionnaire_of(r.wave).pages)
    step = request.GET.get("etape", "")
    back = r.url("page", int(step)) if step.isdigit() and 1 <= int(step) <= pages else r.url()
    return _render(request, "saved.html", {
        "r": r, "wave": r.wave, "survey": r.wave.survey, "back": back,
        "link": request.build_absolute_uri(r.url()), "remembered": r.via == RESUME,
    })


@require_http_methods(["GET"])
def thanks(request: HttpRequest, via: str, key: str) -> HttpResponse:
    r = _respondent(via, key)
    if not r.submitted:
        return redirect(r.url())
    return _render(request, "thanks.html", {"wave": r.wave, "survey": r.wave.survey})
