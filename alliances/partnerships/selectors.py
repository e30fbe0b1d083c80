"""Reads on alliances: the filtered list, an alliance with its follow-up (timeline,
checkpoints, indicator series), an organisation's and a territory's alliances."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from alliances.actors.models import Fragility, Organisation
from alliances.actors.selectors import Directory, filtered_directory
from alliances.diagnostics.models import Action
from alliances.resources.models import Resource

from .forms import AllianceFilterForm
from .models import (
    FOLLOW_UP_MONTHS,
    Alliance,
    AllianceQuerySet,
    AllianceStatus,
    FollowUpNote,
    IndicatorKind,
    IndicatorValue,
    Partner,
)

PER_PAGE = 20
# A checkpoint (M6, M12, M24, M36 after the start) counts as done when a follow-up note is
# dated within this many months either side of it; it is overdue once that window is over.
CHECKPOINT_WINDOW_MONTHS = 2


def alliance_filter(
    queryset: AllianceQuerySet,
    *,
    q: str = "",
    territoire=None,
    type: str = "",
    forme: str = "",
    statut: str = "",
    fragilite: Fragility | None = None,
    organisation: Organisation | None = None,
) -> AllianceQuerySet:
    if territoire is not None:
        queryset = queryset.in_territory(territoire)
    if type:
        queryset = queryset.filter(type=type)
    if forme:
        queryset = queryset.filter(form=forme)
    if statut:
        queryset = queryset.filter(status=statut)
    if fragilite is not None:
        queryset = queryset.filter(fragilities=fragilite)
    if organisation is not None:
        queryset = queryset.filter(
            pk__in=Partner.objects.filter(organisation=organisation).values("alliance_id")
        )
    if q.strip():
        queryset = queryset.filter(title__icontains=q.strip())
    return queryset


def alliance_list(queryset: AllianceQuerySet) -> AllianceQuerySet:
    """What a row shows: partners' names, territory, fragilities; a fixed number of queries."""
    return queryset.select_related("commune", "departement").prefetch_related(
        Prefetch(
            "partners",
            queryset=Partner.objects.select_related("organisation").only(
                "id", "alliance_id", "role", "organisation__id", "organisation__name",
                "organisation__type",
            ),
        ),
        Prefetch("fragilities", queryset=Fragility.objects.only("code", "name", "position")),
    )


def alliance_directory(queryset: AllianceQuerySet, params: QueryDict) -> Directory:
    """Apply the GET filters; bad values become notices (like the actors' directory)."""
    return filtered_directory(
        AllianceFilterForm(params),
        lambda values: alliance_list(alliance_filter(queryset, **values)),
        params, PER_PAGE,
    )


def alliance_detail(pk: int) -> Alliance | None:
    return (
        Alliance.objects.select_related("commune", "departement", "region", "created_by")
        .prefetch_related(
            Prefetch(
                "partners",
                queryset=Partner.objects.select_related("organisation__commune").order_by(
                    "role", "organisation__name"
                ),
            ),
            "fragilities",
            Prefetch("resources", queryset=Resource.objects.published().order_by("title")),
            Prefetch("actions", queryset=Action.objects.select_related("plan")),
            Prefetch("notes", queryset=FollowUpNote.objects.select_related("author")),
            "indicators",
        )
        .filter(pk=pk)
        .first()
    )


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(day)


@dataclass(frozen=True)
class Checkpoint:
    months: int
    date: datetime.date
    state: str  # done, upcoming, due, overdue

    @property
    def label(self) -> str:
        return f"M{self.months}"

    @property
    def state_label(self) -> str:
        return str(CHECKPOINT_STATES[self.state])


CHECKPOINT_STATES = {
    "done": _("done"),
    "upcoming": _("upcoming"),
    "due": _("due now"),
    "overdue": _("overdue"),
}


def checkpoints(
    alliance: Alliance, notes: list[FollowUpNote], today: datetime.date
) -> list[Checkpoint]:
    """M6, M12, M24, M36 after the start: done when a note falls within ±2 months of the
    checkpoint; otherwise upcoming before that window, due inside it, overdue after it."""
    found = []
    for months in FOLLOW_UP_MONTHS:
        day = add_months(alliance.start_date, months)
        opens = add_months(day, -CHECKPOINT_WINDOW_MONTHS)
        closes = add_months(day, CHECKPOINT_WINDOW_MONTHS)
        if any(opens <= note.date <= closes for note in notes):
            state = "done"
        elif today < opens:
            state = "upcoming"
        elif today <= closes:
            state = "due"
        else:
            state = "overdue"
        found.append(Checkpoint(months=months, date=day, state=state))
    return found


@dataclass(frozen=True)
class TimelineEvent:
    date: datetime.date
    kind: str  # start, end, note, indicator, checkpoint
    title: str
    text: str = ""
    author: str = ""
    state: str = ""


@dataclass
class IndicatorSeries:
    name: str
    points: list[tuple[datetime.date, Decimal]]


def number(value: Decimal) -> str:
    """A measure as French people write it: 1250, 12,5."""
    if value == value.to_integral_value():
        return str(int(value))
    return str(value.normalize()).replace(".", ",")


def indicator_series(measures: list[IndicatorValue]) -> list[IndicatorSeries]:
    grouped: dict[tuple[str, str], list[IndicatorValue]] = defaultdict(list)
    for measure in measures:
        grouped[(measure.kind, measure.label)].append(measure)
    series = []
    for (kind, label), values in grouped.items():
        name = label if kind == IndicatorKind.OTHER else str(IndicatorKind(kind).label)
        series.append(IndicatorSeries(
            name=name, points=sorted(((v.date, v.value) for v in values), key=lambda p: p[0])
        ))
    return sorted(series, key=lambda s: s.name)


def timeline(alliance: Alliance, today: datetime.date) -> list[TimelineEvent]:
    """The alliance's story, oldest first: start, notes, measures, checkpoints, end."""
    notes = list(alliance.notes.all())
    events = [TimelineEvent(alliance.start_date, "start", str(_("Start of the alliance")))]
    for note in notes:
        events.append(TimelineEvent(
            note.date, "note", str(_("Follow-up note")), text=note.text,
            author=note.author.display_name if note.author else "",
        ))
    for measure in alliance.indicators.all():
        name = measure.label or measure.get_kind_display()
        events.append(TimelineEvent(
            measure.date, "indicator", str(_("Measure")), text=f"{name} : {number(measure.value)}"
        ))
    for checkpoint in checkpoints(alliance, notes, today):
        events.append(TimelineEvent(
            checkpoint.date, "checkpoint",
            str(_("Checkpoint %(label)s") % {"label": checkpoint.label}),
            state=checkpoint.state,
            text=checkpoint.state_label,
        ))
    if alliance.end_date:
        ended = alliance.status == AllianceStatus.TERMINEE
        events.append(TimelineEvent(
            alliance.end_date, "end",
            str(_("End of the alliance") if ended else _("Planned end")),
        ))
    order = {"start": 0, "note": 1, "indicator": 2, "checkpoint": 3, "end": 4}
    return sorted(events, key=lambda e: (e.date, order[e.kind]))


def visible_actions(alliance: Alliance, user) -> list[Action]:
    """The linked actions whose plan the viewer may see: no leak of a team's trajectoire."""
    return [a for a in alliance.actions.all() if user.has_perm("diagnostics.view_plan", a.plan)]


def organisation_alliances(organisation: Organisation, user, limit: int = 10):
    """An organisation's alliances the viewer may see, newest first, and their number
    (counted only when the first page is full: one query less on most pages)."""
    queryset = Alliance.objects.visible_to(user).of_organisation(organisation)
    alliances = list(alliance_list(queryset)[:limit])
    total = queryset.count() if len(alliances) == limit else len(alliances)
    return alliances, total


def territory_alliances(territory, user, limit: int = 5):
    """A territory's latest visible alliances and its counts (total, active); the counts
    take a query only when there are more alliances than shown."""
    queryset = Alliance.objects.visible_to(user).in_territory(territory)
    alliances = list(alliance_list(queryset)[:limit])
    if len(alliances) < limit:
        counts = {
            "total": len(alliances),
            "active": sum(a.status == AllianceStatus.ACTIVE for a in alliances),
        }
    else:
        counts = queryset.aggregate(
            total=Count("pk", distinct=True),
            active=Count("pk", filter=Q(status=AllianceStatus.ACTIVE), distinct=True),
        )
    return alliances, counts
