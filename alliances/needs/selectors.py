"""Reads on needs: the filtered list, one need, the suggested organisations, the contact
requests of a person's organisations.

Suggestions are organisations of the need's département, scored by a transparent sum:
each reason adds its points (SUGGESTION_POINTS) and is shown with them. All the reasons
are computed by the database in one query (Exists and Subquery annotations), so the cost
does not grow with the number of suggestions shown. Alliances count only when the viewer
may see them: a private alliance neither shows its title nor moves the ranking.
"""

from dataclasses import dataclass, field

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances.actors.models import Membership, Organisation, OrganisationType, Sector
from alliances.partnerships.models import Alliance, Partner
from alliances.territories.models import Commune, Departement, Region

from .forms import NeedFilterForm
from .models import ContactRequest, HelpKind, Need, NeedQuerySet

PER_PAGE = 20
SUGGESTIONS = 10
CONTACTS_SHOWN = 100

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


@dataclass
class NeedDirectory:
    form: NeedFilterForm
    page: Page
    notices: list[str] = field(default_factory=list)

    @property
    def page_range(self) -> list[int | str]:
        return list(
            self.page.paginator.get_elided_page_range(self.page.number, on_each_side=2, on_ends=1)
        )


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


def need_directory(user, params: QueryDict) -> NeedDirectory:
    """The open needs the user may see, filtered by the GET parameters; bad values become
    notices and are ignored."""
    form = NeedFilterForm(params)
    values = form.valid_values()
    notices = [
        _("The filter “%(label)s” was ignored: %(error)s")
        % {"label": form.fields[name].label, "error": " ".join(errors)}
        for name, errors in form.errors.items()
    ]
    queryset = need_filter(Need.objects.visible_to(user).open(), **values).select_related(
        "organisation__commune", "fragility"
    )
    paginator = Paginator(queryset, PER_PAGE)
    try:
        page = paginator.page(params.get("page", 1))
    except PageNotAnInteger:
        notices.append(_("The page number is not valid: here is the first page."))
        page = paginator.page(1)
    except EmptyPage:
        notices.append(_("This page does not exist: here is the last page."))
        page = paginator.page(paginator.num_pages)
    return NeedDirectory(form=form, page=page, notices=notices)


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
    """Organisations of the need's département that could help, best first (one query)."""
    home = need.organisation
    if home.departement_id is None:
        return []
    points = SUGGESTION_POINTS
    visible_alliances = Alliance.objects.visible_to(viewer).values("pk")
    own_alliances = Partner.objects.filter(
        organisation=home, alliance__in=visible_alliances
    ).values("alliance")
    home_partners = (
        Partner.objects.filter(alliance__in=own_alliances).exclude(organisation=home)
        .values("organisation")
    )
    contacted = ContactRequest.objects.filter(need=need)
    fit_types = list(TYPE_FIT.get(need.kind, {}))
    sectors = RELEVANT_SECTORS.get(need.kind, [])

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
    annotations = {
        "shared_title": Subquery(
            Alliance.objects.filter(pk__in=own_alliances, partners__organisation=OuterRef("pk"))
            .order_by("-start_date", "-pk").values("title")[:1]
        ),
        "partner_of_partner": Exists(
            Partner.objects.filter(
                organisation=OuterRef("pk"), alliance__in=visible_alliances,
                alliance__partners__organisation__in=home_partners,
            )
        ),
        "sector_name": Subquery(
            Sector.objects.filter(organisations=OuterRef("pk"), code__in=sectors)
            .order_by("code").values("name")[:1]
        ),
    }
    if need.fragility_id:
        annotations["works_on_fragility"] = Exists(
            Organisation.fragilities.through.objects.filter(
                organisation_id=OuterRef("pk"), fragility_id=need.fragility_id
            )
        )
        annotations["fragility_alliances"] = Exists(
            Partner.objects.filter(
                organisation=OuterRef("pk"), alliance__in=visible_alliances,
                alliance__fragilities=need.fragility_id,
            )
        )
    else:
        annotations["works_on_fragility"] = Value(False)
        annotations["fragility_alliances"] = Value(False)
    candidates = candidates.annotate(**annotations)
    fit = (
        _points(Q(type__in=fit_types), points["type"])
        + _points(Q(works_on_fragility=True), points["fragility"])
        + _points(Q(sector_name__isnull=False), points["sector"])
        + _points(Q(shared_title__isnull=False), points["partner"])
        + _points(Q(fragility_alliances=True), points["fragility_alliances"])
        + _points(Q(shared_title__isnull=True, partner_of_partner=True),
                  points["partner_of_partner"])
    )
    same_commune = (
        _points(Q(commune_id=home.commune_id), points["same_commune"])
        if home.commune_id else Value(0)
    )
    rows = (
        candidates.annotate(fit=fit, score=fit + same_commune)
        .filter(fit__gt=0)
        .select_related("commune")
        .only("id", "name", "type", "website", "commune__code", "commune__name", "commune_id",
              "search_name")
        .order_by("-score", "search_name", "pk")[:limit]
    )
    return [Suggestion(organisation=row, reasons=_reasons(need, row)) for row in rows]


def _reasons(need: Need, row: Organisation) -> list[Reason]:
    points = SUGGESTION_POINTS
    reasons: list[Reason] = []
    how = TYPE_FIT.get(need.kind, {}).get(row.type)
    if how is not None:
        label = str(row.get_type_display()).capitalize()
        reasons.append(Reason(f"{label} ({how})" if how else label, points["type"]))
    if row.works_on_fragility:
        reasons.append(Reason(
            _("works on “%(fragility)s”") % {"fragility": need.fragility.name},
            points["fragility"],
        ))
    if row.sector_name:
        reasons.append(Reason(_("sector: %(sector)s") % {"sector": row.sector_name},
                              points["sector"]))
    if row.shared_title:
        reasons.append(Reason(
            _("already a partner of %(organisation)s on “%(alliance)s”")
            % {"organisation": need.organisation.name, "alliance": row.shared_title},
            points["partner"],
        ))
    elif row.partner_of_partner:
        reasons.append(Reason(_("partner of one of your partners"),
                              points["partner_of_partner"]))
    if row.fragility_alliances:
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
    received: list[ContactRequest]
    sent: list[ContactRequest]
    more_received: bool = False
    more_sent: bool = False


def contact_requests_of(user) -> Contacts:
    """The requests received and sent by the user's organisations, pending first."""
    mine = Membership.objects.filter(user=user).values("organisation")
    base = ContactRequest.objects.select_related(
        "need", "sender", "recipient"
    ).only(
        "id", "status", "created_at", "answered_at", "need__id", "need__title",
        "sender__id", "sender__name", "recipient__id", "recipient__name",
    )
    pending_first = Case(When(status="en_attente", then=Value(0)), default=Value(1),
                         output_field=IntegerField())
    received = list(
        base.filter(recipient__in=mine).order_by(pending_first, "-created_at", "-pk")
        [: CONTACTS_SHOWN + 1]
    )
    sent = list(base.filter(sender__in=mine).order_by("-created_at", "-pk")[: CONTACTS_SHOWN + 1])
    return Contacts(
        received=received[:CONTACTS_SHOWN], sent=sent[:CONTACTS_SHOWN],
        more_received=len(received) > CONTACTS_SHOWN, more_sent=len(sent) > CONTACTS_SHOWN,
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
