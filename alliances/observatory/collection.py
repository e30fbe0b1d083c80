"""The public questionnaire's writes: invitations, and web responses saved page by page.

A wave's questionnaire is its questions in order, one page per XLSForm group (questions
outside any group, one after the other, share a page). A response is reached either by an
invitation's token (one response per token) or, when the wave's open link is on, started by
anyone and resumed with its `resume_key`. Answers are checked against the wave's questions
(option codes, numbers and their bounds, required questions) before anything is written; a
response changes only while it is a draft and its wave is en collecte. Each write locks the
response's row, so that a double click or two tabs cannot submit twice.

Submitting a response adds it to the wave's data set (`services.wave_data_changed`). A wave
weighted by raking needs every respondent's raking variables: they are required at
submission even where the form leaves them optional.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from alliances.accounts.models import User
from alliances.core import ratelimit

from . import services
from .models import Invitation, Option, Question, Wave, WaveQuestion, WebResponse

MAX_INVITATIONS = 10_000  # per call: a typo in the console should not make a million rows
MAX_TEXT = 5_000  # characters of a free-text answer
LABEL_MAX: int = Invitation._meta.get_field("label").max_length or 200


class CollectionError(ValueError):
    """An answer the questionnaire refuses; the message says why."""


class WaveNotCollecting(CollectionError):
    """The wave is not en collecte: nothing is saved."""


class AlreadySubmitted(CollectionError):
    """The response was sent already: it no longer changes."""


class AnswerError(CollectionError):
    """Answers that do not fit their questions: `errors` maps each question code to what is
    wrong with its answer."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{code}: {message}" for code, message in self.errors.items()))


# -- the questionnaire as pages -------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A question as the questionnaire asks it."""

    code: str
    kind: str  # Question.Kind value
    label: str
    hint: str = ""
    required: bool = False
    options: tuple[tuple[str, str], ...] = ()  # (code, label), in the wave's order
    minimum: float | None = None
    maximum: float | None = None

    @property
    def option_labels(self) -> dict[str, str]:
        return dict(self.options)


@dataclass(frozen=True)
class Page:
    number: int  # from 1
    title: str  # the XLSForm group's label, or "" for questions outside any group
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Questionnaire:
    pages: tuple[Page, ...]

    @property
    def items(self) -> dict[str, Item]:
        return {item.code: item for page in self.pages for item in page.items}

    def page_of(self, code: str) -> int:
        for page in self.pages:
            if any(item.code == code for item in page.items):
                return page.number
        raise KeyError(code)


def questionnaire_of(wave: Wave) -> Questionnaire:
    """The wave's questions as pages (2 queries)."""
    rows = list(
        WaveQuestion.objects.filter(wave=wave).select_related("question").order_by("position")
    )
    labels = {
        (question_id, code): label
        for question_id, code, label in Option.objects.filter(
            question__in=[r.question_id for r in rows]
        ).values_list("question_id", "code", "label")
    }
    pages: list[Page] = []
    current: list[Item] = []
    group: str | None = None
    for row in rows:
        if current and row.group != group:
            pages.append(Page(len(pages) + 1, group or "", tuple(current)))
            current = []
        group = row.group
        current.append(Item(
            code=row.question.code, kind=row.question.kind, label=row.label or row.question.label,
            hint=row.hint, required=row.required,
            options=tuple((c, labels.get((row.question_id, c), c)) for c in row.option_codes),
            minimum=row.minimum, maximum=row.maximum,
        ))
    if current:
        pages.append(Page(len(pages) + 1, group or "", tuple(current)))
    return Questionnaire(tuple(pages))


# -- checking answers -----------------------------------------------------------------------


def _empty(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or value == []


def _number(text: str) -> float | None:
    # The number field sends "3.5"; a typed "3,5" or "1 200" (French) is read too.
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text).replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _shown(value: float) -> str:
    return number_format(int(value) if float(value).is_integer() else value)


def _bounds_error(item: Item, value: float) -> str | None:
    low, high = item.minimum, item.maximum
    if (low is None or value >= low) and (high is None or value <= high):
        return None
    if low is not None and high is not None:
        return _("Enter a number between %(min)s and %(max)s.") % {
            "min": _shown(low), "max": _shown(high)}
    if low is not None:
        return _("Enter a number of at least %(min)s.") % {"min": _shown(low)}
    assert high is not None
    return _("Enter a number of at most %(max)s.") % {"max": _shown(high)}


def _clean_one(item: Item, value: Any) -> tuple[Any, str | None]:
    """(the answer as stored, or an error)."""
    if item.kind in {Question.Kind.SINGLE, Question.Kind.SCALE}:
        if isinstance(value, (list, tuple)):
            return None, _("Choose one answer only.")
        if str(value) not in item.option_labels:
            return None, _("Choose one of the proposed answers.")
        return str(value), None
    if item.kind == Question.Kind.MULTIPLE:
        chosen = [str(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
        if any(code not in item.option_labels for code in chosen):
            return None, _("Choose among the proposed answers.")
        # Stored in the wave's order, each once, whatever order the browser sent.
        return [code for code, _label in item.options if code in chosen], None
    if item.kind == Question.Kind.NUMBER:
        if isinstance(value, bool):
            number = None
        elif isinstance(value, (int, float)):
            number = float(value) if math.isfinite(value) else None
        else:
            number = _number(str(value))
        if number is None:
            return None, _("Enter a number, for example 12 or 3.5.")
        if (error := _bounds_error(item, number)) is not None:
            return None, error
        return (int(number) if number.is_integer() else number), None
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        return None, _("Keep your answer under %(max)s characters (it has %(length)s).") % {
            "max": MAX_TEXT, "length": len(text)}
    return text, None


def answers_clean(
    items: Iterable[Item], answers: Mapping[str, Any], *, check_required: bool = True
) -> dict[str, Any]:
    """The answers to `items` as stored ({code: option code | [codes] | number | text};
    unanswered questions left out). Raises AnswerError naming every question whose answer is
    wrong, and any code that is not one of `items`."""
    items = list(items)
    known = {item.code for item in items}
    errors: dict[str, str] = {
        code: _("« %(code)s » is not a question of this page.") % {"code": code}
        for code in answers if code not in known
    }
    clean: dict[str, Any] = {}
    for item in items:
        value = answers.get(item.code)
        if _empty(value):
            if item.required and check_required:
                errors[item.code] = _("This question needs an answer.")
            continue
        stored, error = _clean_one(item, value)
        if error is not None:
            errors[item.code] = error
        else:
            clean[item.code] = stored
    if errors:
        raise AnswerError(errors)
    return clean


# -- invitations ----------------------------------------------------------------------------


@transaction.atomic
def invitations_create(
    *, wave: Wave, count: int = 0, labels: Iterable[str] = ()
) -> list[Invitation]:
    """`count` unlabelled invitations and one per label (e.g. "Mairie de Die"), in one insert.
    A label is for the analyst's follow-up only: respondents never see it."""
    labels = [label.strip() for label in labels]
    if count < 0:
        raise ValueError(_("The number of invitations cannot be negative."))
    too_long = [n for n, label in enumerate(labels, start=1) if len(label) > LABEL_MAX]
    if too_long:
        raise ValueError(_("Label %(line)s is longer than %(max)s characters.")
                         % {"line": too_long[0], "max": LABEL_MAX})
    total = count + len(labels)
    if total > MAX_INVITATIONS:
        raise ValueError(_("At most %(max)s invitations at a time (%(count)s asked).")
                         % {"max": MAX_INVITATIONS, "count": total})
    if wave.status == Wave.Status.PUBLIEE:
        raise services.WaveStateError(_("A published wave takes no new invitations."))
    rows = [Invitation(wave=wave) for _n in range(count)]
    rows += [Invitation(wave=wave, label=label) for label in labels]
    return Invitation.objects.bulk_create(rows)


def _spreadsheet_safe(text: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: a label must stay text.
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def invitations_csv(*, wave: Wave, base_url: str) -> str:
    """The wave's invitations as CSV (`label,link`), for a mail merge."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["label", "link"])
    root = base_url.rstrip("/")
    for label, token in wave.invitations.order_by("id").values_list("label", "token"):
        link = root + reverse("observatory:answer_invitation", args=[token])
        writer.writerow([_spreadsheet_safe(label), link])
    return buffer.getvalue()


# -- responses ------------------------------------------------------------------------------


def _check_collecting(wave: Wave) -> None:
    if not wave.accepts_answers:
        raise WaveNotCollecting(_("This survey does not accept answers."))


def _user(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def _locked(response: WebResponse) -> WebResponse:
    # Only the response's row: locking the wave too would queue every respondent of it.
    return (
        WebResponse.objects.select_for_update(of=("self",))
        .select_related("wave")
        .get(pk=response.pk)
    )


@transaction.atomic
def response_for_invitation(*, invitation: Invitation, user: User | None = None) -> WebResponse:
    """The invitation's response, started now if need be (a signed-in respondent's account is
    kept on it, for their personal-data export)."""
    wave = Wave.objects.get(pk=invitation.wave_id)
    _check_collecting(wave)
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    response, created = WebResponse.objects.get_or_create(
        invitation=locked, defaults={"wave": wave, "user": _user(user)}
    )
    if response.status == WebResponse.Status.SUBMITTED:
        raise AlreadySubmitted(_("This invitation has been answered already."))
    return response


@transaction.atomic
def response_start_open(*, wave: Wave, user: User | None = None) -> WebResponse:
    """A new response through the wave's open link. A signed-in person gets their draft back
    rather than a second one, and cannot answer twice."""
    wave = Wave.objects.get(pk=wave.pk)
    _check_collecting(wave)
    if not wave.open_link:
        raise WaveNotCollecting(_("This survey has no open link."))
    user = _user(user)
    if user is not None:
        mine = WebResponse.objects.filter(wave=wave, user=user, invitation__isnull=True)
        if mine.filter(status=WebResponse.Status.SUBMITTED).exists():
            raise AlreadySubmitted(_("You have answered this survey already."))
        draft = mine.filter(status=WebResponse.Status.DRAFT).order_by("id").first()
        if draft is not None:
            return draft
    return WebResponse.objects.create(wave=wave, user=user)


@transaction.atomic
def response_save(
    *,
    response: WebResponse,
    answers: Mapping[str, Any],
    page: int,
    check_required: bool = True,
    user: User | None = None,
) -> WebResponse:
    """Check the answers to page `page` (from 1) and merge them into the draft: a question of
    the page left empty loses its earlier answer. `check_required=False` for "save and come
    back later" (wrong answers are refused all the same). Nothing is written on error."""
    locked = _locked(response)
    if locked.status == WebResponse.Status.SUBMITTED:
        raise AlreadySubmitted(_("These answers have been sent already."))
    _check_collecting(locked.wave)
    pages = questionnaire_of(locked.wave).pages
    if not 1 <= page <= len(pages):
        raise CollectionError(_("The questionnaire has no page %(page)s.") % {"page": page})
    items = pages[page - 1].items
    clean = answers_clean(items, answers, check_required=check_required)
    on_page = {item.code for item in items}
    merged = {code: value for code, value in locked.answers.items() if code not in on_page}
    merged.update(clean)
    locked.answers = merged
    fields = ["answers", "updated_at"]
    if locked.user_id is None and _user(user) is not None:
        locked.user = user
        fields.append("user")
    locked.save(update_fields=fields)
    response.answers, response.user_id, response.updated_at = (
        locked.answers, locked.user_id, locked.updated_at)
    return locked


def missing_answers(wave: Wave, questionnaire: Questionnaire,
                    answers: Mapping[str, Any]) -> dict[str, str]:
    """{code: message} of the questions a submission still needs (required ones, and the
    raking variables of a weighted wave)."""
    needed = [item for item in questionnaire.items.values()
              if item.required or item.code in (wave.margins or {})]
    return {item.code: _("This question needs an answer.")
            for item in needed if _empty(answers.get(item.code))}


@transaction.atomic
def response_submit(*, response: WebResponse) -> WebResponse:
    """Send a draft: every needed question answered, then it counts in the wave's data set.
    A second submit (double click, another tab) raises AlreadySubmitted and changes
    nothing."""
    locked = _locked(response)
    if locked.status == WebResponse.Status.SUBMITTED:
        raise AlreadySubmitted(_("These answers have been sent already."))
    wave = locked.wave
    _check_collecting(wave)
    questionnaire = questionnaire_of(wave)
    # Checked again as a whole: the pages were checked one by one, perhaps long ago.
    errors = missing_answers(wave, questionnaire, locked.answers)
    try:
        answers_clean(questionnaire.items.values(), locked.answers, check_required=False)
    except AnswerError as error:
        errors.update(error.errors)
    if errors:
        raise AnswerError(errors)
    locked.status = WebResponse.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["status", "submitted_at", "updated_at"])
    services.wave_data_changed(wave, strict=False)
    response.status, response.submitted_at = locked.status, locked.submitted_at
    return locked


# -- the open link's rate limit -------------------------------------------------------------


def open_link_rate() -> tuple[int, int]:
    """(responses, seconds) from settings.OBSERVATORY_OPEN_LINK_RATE, e.g. "20/h"."""
    rate = ratelimit.parse_rate(getattr(settings, "OBSERVATORY_OPEN_LINK_RATE", "20/h"),
                                setting="OBSERVATORY_OPEN_LINK_RATE")
    return rate.limit, rate.period


def open_link_throttle(*, client_ip: str, now: float | None = None) -> int:
    """Count a new open-link response from `client_ip`: 0 if it may start, else the seconds
    to wait (core.ratelimit's fixed windows: shared by the web workers only with Redis)."""
    limit, period = open_link_rate()
    return ratelimit.hit(f"observatory:open-link:{client_ip}",
                         ratelimit.Rate(limit, period), now=now)
