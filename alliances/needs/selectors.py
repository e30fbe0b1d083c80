"""Reads on needs: the filtered list, one need, the suggested organisations, the contact
requests of a person's organisations.

Suggestions are organisations of the need's département, scored by a transparent sum:
each reason adds its points (SUGGESTION_POINTS) and is shown with them. All the reasons
are computed by the database in one query (Exists and Subquery annotations), so the cost
does not grow with the number of suggestions shown. Alliances count only when the viewer
may see them: a private alliance neither shows its title nor moves the ranking.
"""

import operator
from dataclasses import dataclass
from functools import reduce

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    IntegerField,
    Q,
    Value,
    When,
)
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances.actors.models import Membership, Organisation, OrganisationType
from alliances.actors.selectors import Directory, filtered_directory
from alliances.partnerships.models import Partner
from alliances.territories.models import Commune, Departement, Region

from .forms import NeedFilterForm
from .models import ContactRequest, HelpKind, Need, NeedQuerySet

PER_PAGE = 20
SUGGESTIONS = 10
CONTACTS_PER_PAGE = 25

# Actor types that typically give each kind of help, with a word on how (or "").
TYPE_FIT: dict[str, dict[str, object]] = {
    HelpKind.FINANCEMENT: {
        OrganisationType.FONDATION: "",
        OrganisationType.ENTREPRISE: gettext_lazy("mécénat"),
        OrganisationType.COLLECTIVITE: gettext_lazy("public funding"),
    },
    HelpKind.COMPETENCES: {
        OrganisationType.ENTREPRISE: gettext_lazy("mécénat de compétences"),
        OrganisationType.ACADEMIQUE: "",
        OrganisationType.ENSEIGNEMENT: "",
        OrganisationType.RESEAU: "",
    },
    HelpKind.BENEVOLES: {
        OrganisationType.ASSOCIATION: "",
        OrganisationType.RESEAU: "",
        OrganisationType.ENSEIGNEMENT: gettext_lazy("pupils' and students' projects"),
    },
    HelpKind.LIEU: {
        OrganisationType.COLLECTIVITE: "",
        OrganisationType.CATALYSEUR: "",
        OrganisationType.ENSEIGNEMENT: "",
    },
    HelpKind.MATERIEL: {
        OrganisationType.ENTREPRISE: gettext_lazy("donation in kind"),
        OrganisationType.COLLECTIVITE: "",
    },
}
# NAF sections whose organisations have the kind of help to give.
RELEVANT_SECTORS: dict[str, list[str]] = {
    HelpKind.FINANCEMENT: ["K"],
    HelpKind.COMPETENCES: ["M", "J", "P"],
    HelpKind.BENEVOLES: ["S", "P"],
    HelpKind.LIEU: ["L", "I", "R"],
    HelpKind.MATERIEL: ["C", "F", "G", "H"],
}
SUGGESTION_POINTS = {
    "type": 3,
    "fragility": 3,
    "sector": 1,
    "partner": 4,
    "fragility_alliances": 2,
    "partner_of_partner": 1,
    "same_commune": 2,
}


# ---------------------------------------------------------------------------------------
# The list


def need_filter(queryset: NeedQuerySet, *, territory=None, kind: str = "",
                fragility=None) -> NeedQuerySet:
    if isinstance(territory, Region):
        queryset = queryset.filter(organisation__region=territory)
    elif isinstance(territory, Departement):
        queryset = queryset.filter(organisation__departement=territory)
    elif isinstance(territory, Commune):
        queryset = queryset.filter(organisation__commune=territory)
    if kind:
        queryset = queryset.filter(kind=kind)
    if fragility:
        queryset = queryset.filter(fragility=fragility)
    return queryset


def need_directory(user, params: QueryDict) -> Directory:
    """The open needs the user may see, filtered by the GET parameters; bad values become
    notices and are ignored."""
    return filtered_directory(
        NeedFilterForm(params),
        lambda values: need_filter(Need.objects.visible_to(user).open(), **values)
        .select_related("organisation__commune", "fragility"),
        params, PER_PAGE,
    )


def need_detail(user, pk: int) -> Need | None:
    """The need if the user may see it (None otherwise: the caller answers 404)."""
    return (
        Need.objects.visible_to(user)
        .select_related("organisation__commune__departement", "fragility", "created_by")
        .filter(pk=pk)
        .first()
    )


def user_organisations(user) -> list[Organisation]:
    if not user.is_authenticated:
        return []
    return list(
        Organisation.objects.filter(memberships__user=user).order_by("search_name", "pk")
    )


# ---------------------------------------------------------------------------------------
# Suggestions


@dataclass
class Reason:
    text: str
    points: int


@dataclass
class Suggestion:
    organisation: Organisation
    reasons: list[Reason]

    @property
    def score(self) -> int:
        return sum(reason.points for reason in self.reasons)


def _points(condition, points: int) -> Case:
    return Case(When(condition, then=Value(points)), default=Value(0),
                output_field=IntegerField())


def suggestions(need: Need, viewer, *, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """Organisations of the need's département that could help, best first.

    A fixed handful of queries: the viewer's and the need organisation's alliances (small
    lists), the ranking itself, then the sector names and shared alliance titles of the
    few organisations kept. The ranking tests membership of sets the database builds once
    (`pk IN (SELECT …)`, not correlated), so each candidate costs a few index probes.
    """
    home = need.organisation
    if home.departement_id is None:
        return []
    points = SUGGESTION_POINTS
    visible = _visible_alliances(viewer)
    own_alliances = list(
        Partner.objects.filter(visible, organisation=home).values_list("alliance_id", flat=True)
    )
    home_partners = set(
        Partner.objects.filter(alliance_id__in=own_alliances).exclude(organisation=home)
        .values_list("organisation_id", flat=True)
    ) if own_alliances else set()
    in_departement = Partner.objects.filter(
        visible, organisation__departement_id=home.departement_id
    )
    sets: dict[str, Q] = {
        "sector": Q(pk__in=Organisation.sectors.through.objects.filter(
            sector_id__in=RELEVANT_SECTORS.get(need.kind, [])).values("organisation_id")),
        "partner": Q(pk__in=home_partners),
        "partner_of_partner": (
            Q(pk__in=in_departement.filter(
                alliance__partners__organisation__in=home_partners
            ).values("organisation_id")) & ~Q(pk__in=home_partners)
        ) if home_partners else Q(pk__in=[]),
    }
    if need.fragility_id:
        sets["fragility"] = Q(pk__in=Organisation.fragilities.through.objects.filter(
            fragility_id=need.fragility_id).values("organisation_id"))
        sets["fragility_alliances"] = Q(pk__in=in_departement.filter(
            alliance__fragilities=need.fragility_id).values("organisation_id"))
    else:
        sets["fragility"] = sets["fragility_alliances"] = Q(pk__in=[])
    sets["type"] = Q(type__in=list(TYPE_FIT.get(need.kind, {})))

    contacted = ContactRequest.objects.filter(need=need)
    candidates = (
        Organisation.objects.filter(departement_id=home.departement_id)
        .exclude(pk=home.pk)
        .exclude(pk__in=contacted.values("sender"))
        .exclude(pk__in=contacted.values("recipient"))
    )
    if not getattr(viewer, "is_platform_admin", False):
        candidates = candidates.filter(
            Q(is_public=True)
            | Q(pk__in=Membership.objects.filter(user=viewer).values("organisation"))
        )
    flags = {f"is_{name}": Case(When(condition, then=Value(True)), default=Value(False))
             for name, condition in sets.items()}
    fit = sum((_points(condition, points[name]) for name, condition in sets.items()),
              start=Value(0))
    same_commune = (
        _points(Q(commune_id=home.commune_id), points["same_commune"])
        if home.commune_id else Value(0)
    )
    rows = list(
        candidates.filter(reduce(operator.or_, sets.values()))
        .annotate(**flags, score=fit + same_commune)
        .select_related("commune")
        .only("id", "name", "type", "website", "commune__code", "commune__name", "commune_id",
              "search_name")
        .order_by("-score", "search_name", "pk")[:limit]
    )
    ids = [row.pk for row in rows]
    sector_names: dict[int, str] = {}
    for organisation_id, name in (
        Organisation.sectors.through.objects.filter(
            organisation_id__in=ids, sector_id__in=RELEVANT_SECTORS.get(need.kind, []))
        .order_by("-sector_id").values_list("organisation_id", "sector__name")
    ):
        sector_names[organisation_id] = name  # the first section in code order wins
    titles: dict[int, str] = {}
    shared = [row.pk for row in rows if row.is_partner]
    if shared:
        for organisation_id, title in (
            Partner.objects.filter(organisation_id__in=shared, alliance_id__in=own_alliances)
            .order_by("alliance__start_date", "alliance_id")
            .values_list("organisation_id", "alliance__title")
        ):
            titles[organisation_id] = title  # the latest alliance wins
    return [
        Suggestion(organisation=row, reasons=_reasons(
            need, row, sector=sector_names.get(row.pk), shared_title=titles.get(row.pk)))
        for row in rows
    ]


def _visible_alliances(viewer) -> Q:
    """A condition on Partner rows: their alliance is one the viewer may see."""
    if getattr(viewer, "is_platform_admin", False):
        return Q()
    mine = list(
        Partner.objects.filter(organisation__memberships__user=viewer)
        .values_list("alliance_id", flat=True)
    ) if viewer.is_authenticated else []
    return Q(alliance__is_public=True) | Q(alliance_id__in=mine)


def _reasons(need: Need, row: Organisation, *, sector: str | None,
             shared_title: str | None) -> list[Reason]:
    points = SUGGESTION_POINTS
    reasons: list[Reason] = []
    how = TYPE_FIT.get(need.kind, {}).get(row.type)
    if how is not None:
        label = str(row.get_type_display()).capitalize()
        reasons.append(Reason(f"{label} ({how})" if how else label, points["type"]))
    if row.is_fragility:
        reasons.append(Reason(
            _("works on “%(fragility)s”") % {"fragility": need.fragility.name},
            points["fragility"],
        ))
    if sector:
        reasons.append(Reason(_("sector: %(sector)s") % {"sector": sector},
                              points["sector"]))
    if shared_title:
        reasons.append(Reason(
            _("already a partner of %(organisation)s on “%(alliance)s”")
            % {"organisation": need.organisation.name, "alliance": shared_title},
            points["partner"],
        ))
    elif row.is_partner_of_partner:
        reasons.append(Reason(_("partner of one of your partners"),
                              points["partner_of_partner"]))
    if row.is_fragility_alliances:
        reasons.append(Reason(
            _("has taken part in alliances on “%(fragility)s”")
            % {"fragility": need.fragility.name},
            points["fragility_alliances"],
        ))
    if need.organisation.commune_id and row.commune_id == need.organisation.commune_id:
        reasons.append(Reason(
            _("in your commune (%(commune)s)") % {"commune": row.commune.name},
            points["same_commune"],
        ))
    return reasons


# ---------------------------------------------------------------------------------------
# Contact requests


@dataclass
class Contacts:
    received: Page
    sent: Page


def contact_requests_of(user, received_page: str | None = None, sent_page: str | None = None,
                        per_page: int | None = None) -> Contacts:
    """The requests received and sent by the user's organisations, the pending received
    first, newest first; a page of each (a page number out of range gives the last)."""
    mine = Membership.objects.filter(user=user).values("organisation")
    base = ContactRequest.objects.select_related(
        "need", "sender", "recipient"
    ).only(
        "id", "status", "created_at", "answered_at", "need__id", "need__title",
        "sender__id", "sender__name", "recipient__id", "recipient__name",
    )
    pending_first = Case(When(status="en_attente", then=Value(0)), default=Value(1),
                         output_field=IntegerField())
    received = base.filter(recipient__in=mine).order_by(pending_first, "-created_at", "-pk")
    sent = base.filter(sender__in=mine).order_by("-created_at", "-pk")
    per_page = per_page or CONTACTS_PER_PAGE
    return Contacts(
        received=Paginator(received, per_page).get_page(received_page),
        sent=Paginator(sent, per_page).get_page(sent_page),
    )


def contact_request_detail(pk: int) -> ContactRequest | None:
    return (
        ContactRequest.objects.select_related(
            "need__organisation", "need__fragility", "sender", "recipient", "sent_by",
            "answered_by",
        )
        .filter(pk=pk)
        .first()
    )


def need_requests(need: Need, organisations: list[Organisation]) -> list[ContactRequest]:
    """This need's requests that involve one of these organisations (the viewer's)."""
    ids = [organisation.pk for organisation in organisations]
    if not ids:
        return []
    return list(
        ContactRequest.objects.filter(need=need)
        .filter(Q(sender_id__in=ids) | Q(recipient_id__in=ids))
        .select_related("sender", "recipient")
        .only("id", "status", "created_at", "sender__id", "sender__name", "recipient__id",
              "recipient__name", "need_id")
    )
