"""Who works with whom: a territory's alliances counted by pair of actor types, beside the
national observatory's figures, and the missing links turned into suggestions.

Two figures per pair of types (A, B):

- the number of the territory's alliances that join at least one organisation of type A and
  one of type B (two distinct organisations of type A on the diagonal): symmetric;
- among the territory's organisations of type A, the share that has at least one alliance
  with an organisation of type B (anywhere): what national surveys ask ("avec quelles
  organisations votre association développe-t-elle des relations ?"), so that the two read
  side by side. Not symmetric: n is the number of type-A organisations.

The territory's alliances are the alliances the viewer may see that are registered in the
territory or that have one of the territory's organisations among their partners. Only the
organisations the viewer may see are counted (public ones, plus the viewer's own; all for
platform admins): a private organisation leaves no trace in the figures of those who may
not see it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations_with_replacement

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from alliances.actors.models import Membership, Organisation, OrganisationType
from alliances.observatory import analysis, dataset, selectors
from alliances.observatory.models import Wave

from .models import Alliance, Partner, PartnerBenchmark
from .territory import Territory, territory_level

# The plural of each actor type, as the sentences need it ("les associations et les
# entreprises du territoire").
TYPE_PLURALS = {
    OrganisationType.ASSOCIATION: pgettext_lazy("actor types", "associations"),
    OrganisationType.FONDATION: pgettext_lazy("actor types", "foundations"),
    OrganisationType.ENTREPRISE: pgettext_lazy("actor types", "companies"),
    OrganisationType.COLLECTIVITE: pgettext_lazy("actor types", "local authorities"),
    OrganisationType.ETAT: pgettext_lazy("actor types", "State services"),
    OrganisationType.ENSEIGNEMENT: pgettext_lazy("actor types", "educational institutions"),
    OrganisationType.ACADEMIQUE: pgettext_lazy("actor types", "academic actors"),
    OrganisationType.RESEAU: pgettext_lazy("actor types", "networks and federations"),
    OrganisationType.CATALYSEUR: pgettext_lazy("actor types", "territorial catalysts"),
}
TYPE_ORDER = [choice.value for choice in OrganisationType]
# How many suggestions the page shows before "other pairs without an alliance".
TOP_SUGGESTIONS = 6
# A territory's share under this fraction of the national one is a weak link.
WEAK_RATIO = 0.5


# -- who sees what -------------------------------------------------------------------------


def organisations_visible_to(user) -> QuerySet[Organisation]:
    """Public organisations, plus the user's own (all of them for platform admins)."""
    if getattr(user, "is_platform_admin", False):
        return Organisation.objects.all()
    if not user.is_authenticated:
        return Organisation.objects.public()
    # A subquery, not a join: a join on memberships repeats each public organisation once
    # per member.
    own = Membership.objects.filter(user=user).values("organisation_id")
    return Organisation.objects.filter(Q(is_public=True) | Q(pk__in=own))


def _partner_visible(user) -> Q:
    if getattr(user, "is_platform_admin", False):
        return Q()
    if not user.is_authenticated:
        return Q(organisation__is_public=True)
    own = Membership.objects.filter(user=user).values("organisation_id")
    return Q(organisation__is_public=True) | Q(organisation_id__in=own)


def territory_organisations(user, territory: Territory) -> QuerySet[Organisation]:
    return organisations_visible_to(user).in_territory(territory)


def territory_alliances(user, territory: Territory) -> QuerySet[Alliance]:
    """The alliances the user may see registered in the territory, or with one of the
    territory's organisations the user may see among their partners."""
    level = territory_level(territory)
    touching = Partner.objects.filter(
        organisation__in=territory_organisations(user, territory).values("pk")
    ).values("alliance_id")
    return Alliance.objects.visible_to(user).filter(
        Q(**{level: territory}) | Q(pk__in=touching)
    )


# -- the figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ActorType:
    code: str
    label: str
    plural: str


def actor_type(code: str) -> ActorType:
    return ActorType(code, str(OrganisationType(code).label), str(TYPE_PLURALS[code]))


@dataclass(frozen=True)
class NationalFigure:
    """The share of a published wave's respondents who chose the benchmark's option."""

    survey: str
    wave: str
    question: str  # the question's code and label
    option: str
    share: float | None  # None: withheld (a small cell)
    ci_low: float | None
    ci_high: float | None
    n: int
    url: str

    @property
    def share_text(self) -> str:
        return "–" if self.share is None else percent(self.share, 1)

    @property
    def ci_text(self) -> str:
        if self.ci_low is None or self.ci_high is None:
            return ""
        return f"[{percent(self.ci_low, 1)} ; {percent(self.ci_high, 1)}]"


@dataclass(frozen=True)
class Cell:
    source: ActorType  # the row's type (the survey's respondents)
    to: ActorType
    alliances: int  # alliances joining the row's type and this one
    linked: int  # the row's organisations with an alliance with this type
    n: int  # the row's organisations
    national: NationalFigure | None = None

    @property
    def share(self) -> float | None:
        return self.linked / self.n if self.n else None

    @property
    def share_text(self) -> str:
        share = self.share
        return "–" if share is None else percent(share)


@dataclass(frozen=True)
class Row:
    type: ActorType
    n: int
    cells: list[Cell]


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Suggestion:
    text: str
    links: list[Link]


@dataclass
class Matrix:
    territory: Territory
    types: list[ActorType]
    rows: list[Row]
    organisations: int
    alliances: int
    comparisons: list[Cell] = field(default_factory=list)  # cells with a national figure
    suggestions: list[Suggestion] = field(default_factory=list)
    more_suggestions: list[Suggestion] = field(default_factory=list)

    def cell(self, from_type: str, to_type: str) -> Cell:
        row = next(r for r in self.rows if r.type.code == from_type)
        return next(c for c in row.cells if c.to.code == to_type)


def matrix_read(user, territory: Territory) -> Matrix:
    """The who-works-with-whom matrix of the territory as `user` may see it: three queries
    (the territory's organisations, the partners of its alliances, the national benchmarks
    and their waves' question codes, plus the waves)."""
    orgs = dict(territory_organisations(user, territory).values_list("pk", "type"))
    partners = Partner.objects.filter(
        _partner_visible(user),
        alliance_id__in=territory_alliances(user, territory).values("pk"),
    ).values_list("alliance_id", "organisation_id", "organisation__type")
    members: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for alliance_id, organisation_id, type_ in partners:
        members[alliance_id].append((organisation_id, type_))

    counts: dict[tuple[str, str], int] = defaultdict(int)
    linked: dict[int, set[str]] = defaultdict(set)
    seen_types: set[str] = set(orgs.values())
    for partners_of in members.values():
        by_type: dict[str, int] = defaultdict(int)
        for _organisation, type_ in partners_of:
            by_type[type_] += 1
        seen_types.update(by_type)
        present = sorted(by_type, key=TYPE_ORDER.index)
        for a, b in combinations_with_replacement(present, 2):
            if a != b or by_type[a] >= 2:
                counts[a, b] += 1
                if a != b:
                    counts[b, a] += 1
        for organisation, _type in partners_of:
            if organisation in orgs:
                linked[organisation].update(
                    t for other, t in partners_of if other != organisation
                )

    n_of: dict[str, int] = defaultdict(int)
    for type_ in orgs.values():
        n_of[type_] += 1
    linked_count: dict[tuple[str, str], int] = defaultdict(int)
    for organisation, types in linked.items():
        for type_ in types:
            linked_count[orgs[organisation], type_] += 1

    national = national_figures(user)
    types = [actor_type(code) for code in TYPE_ORDER if code in seen_types]
    rows = [
        Row(a, n_of[a.code], [
            Cell(a, b, counts[a.code, b.code], linked_count[a.code, b.code], n_of[a.code],
                 national.get((a.code, b.code)))
            for b in types
        ])
        for a in types
    ]
    matrix = Matrix(territory=territory, types=types, rows=rows, organisations=len(orgs),
                    alliances=len(members))
    matrix.comparisons = [
        _cell_or_empty(matrix, a, b, national[a, b])
        for a, b in sorted(national, key=lambda p: (TYPE_ORDER.index(p[0]),
                                                    TYPE_ORDER.index(p[1])))
    ]
    suggestions = missing_links(matrix, national)
    matrix.suggestions = suggestions[:TOP_SUGGESTIONS]
    matrix.more_suggestions = suggestions[TOP_SUGGESTIONS:]
    return matrix


def _cell_or_empty(matrix: Matrix, a: str, b: str, figure: NationalFigure) -> Cell:
    """The territory's cell for a benchmark pair; an empty one for a type it lacks."""
    codes = {t.code for t in matrix.types}
    if a in codes and b in codes:
        return matrix.cell(a, b)
    n = next((row.n for row in matrix.rows if row.type.code == a), 0)
    return Cell(actor_type(a), actor_type(b), 0, 0, n, figure)


# -- the national observatory ----------------------------------------------------------------


def national_figures(user) -> dict[tuple[str, str], NationalFigure]:
    """For each pair of types a PartnerBenchmark maps: the share of the latest published
    wave of its survey that asks its question, whole sample, as the observatory's API gives
    it (the same cached engine, small cells withheld for those who may not see them)."""
    benchmarks = list(PartnerBenchmark.objects.select_related("survey"))
    if not benchmarks:
        return {}
    asked = (
        Wave.objects.filter(
            status=Wave.Status.PUBLIEE,
            survey_id__in={b.survey_id for b in benchmarks},
            questions__question__code__in={b.question_code for b in benchmarks},
        )
        .order_by("-published_at", "-id")
        .values_list("pk", "survey_id", "questions__question__code")
    )
    latest: dict[tuple[int, str], int] = {}
    for wave_id, survey_id, code in asked:
        latest.setdefault((survey_id, code), wave_id)
    waves = Wave.objects.select_related("survey").in_bulk(set(latest.values()))
    figures: dict[tuple[str, str], NationalFigure] = {}
    for benchmark in benchmarks:
        wave = waves.get(latest.get((benchmark.survey_id, benchmark.question_code), 0))
        if wave is None:
            continue
        figure = _figure(user, wave, benchmark)
        if figure is not None:
            figures[benchmark.from_type, benchmark.to_type] = figure
    return figures


def _figure(user, wave: Wave, benchmark: PartnerBenchmark) -> NationalFigure | None:
    data = dataset.wave_data(wave)
    selection = selectors.Selection(benchmark.question_code, [], {})
    try:
        results = selectors.results_for(user, wave, data, selection)
    except analysis.UnknownCode:
        return None
    group = results.groups[0]
    option = next((o for o in group.options if o.code == benchmark.option_code), None)
    if option is None:
        return None
    query = urlencode({"question": benchmark.question_code, "option": benchmark.option_code})
    return NationalFigure(
        survey=wave.survey.title,
        wave=wave.label,
        question=f"{results.question.code} — {results.question.label}",
        option=option.label,
        share=option.share,
        ci_low=option.ci_low,
        ci_high=option.ci_high,
        n=group.n,
        url=f"{reverse('observatory:dashboard', args=[wave.pk])}?{query}",
    )


# -- missing links ---------------------------------------------------------------------------


def percent(value: float, places: int = 0) -> str:
    """38 %, in the active language's number format (rounded, not truncated)."""
    return f"{number_format(round(value * 100, places), places)}\u00a0%"


def _links(matrix: Matrix, codes: list[str]) -> list[Link]:
    territory = matrix.territory
    links = [
        Link(
            _("The %(types)s of the territory") % {"types": actor_type(code).plural},
            f"{territory.get_absolute_url()}?{urlencode({'type': code})}#results",
        )
        for code in dict.fromkeys(codes)
    ]
    links.append(Link(_("Post a need"), reverse("needs:create")))
    return links


def missing_links(
    matrix: Matrix, national: dict[tuple[str, str], NationalFigure]
) -> list[Suggestion]:
    """Pairs of types the territory has both of but no alliance joins, and pairs whose share
    is under half the national one, as sentences with where to go next. Pairs with a
    national figure first (highest national share first), then the others by how many
    organisations they concern."""
    ranked: list[tuple[tuple, Suggestion]] = []
    n_of = {row.type.code: row.n for row in matrix.rows}
    for a, b in combinations_with_replacement([t.code for t in matrix.types], 2):
        na, nb = n_of.get(a, 0), n_of.get(b, 0)
        if not na or not nb or (a == b and na < 2):
            continue
        figure, respondents, partners = _benchmark_of(national, a, b)
        if matrix.cell(a, b).alliances == 0:
            text = _no_alliance_text(a, b, figure, respondents, partners)
            national_share = figure.share if figure and figure.share is not None else -1.0
            ranked.append(((0 if figure else 1, -national_share, -na * nb),
                           Suggestion(text, _links(matrix, [b, a]))))
            continue
        for from_, to in dict.fromkeys([(a, b), (b, a)]):
            figure = national.get((from_, to))
            cell = matrix.cell(from_, to)
            if figure is None or figure.share is None or cell.share is None:
                continue
            if cell.share < WEAK_RATIO * figure.share:
                text = _(
                    "Only %(share)s of the %(from)s of the territory have an alliance with "
                    "%(to)s, against %(national)s nationally."
                ) % {"share": percent(cell.share), "from": actor_type(from_).plural,
                     "to": actor_type(to).plural, "national": percent(figure.share)}
                ranked.append(((0, -figure.share, -na * nb),
                               Suggestion(text, _links(matrix, [to]))))
    ranked.sort(key=lambda item: item[0])
    return [suggestion for _key, suggestion in ranked]


def _no_alliance_text(
    a: str, b: str, figure: NationalFigure | None, respondents: str, partners: str
) -> str:
    values = {"a": actor_type(a).plural, "b": actor_type(b).plural}
    if figure is not None and figure.share is not None:
        values.update(share=percent(figure.share), respondents=actor_type(respondents).plural,
                      partners=actor_type(partners).plural)
        if a == b:
            return _(
                "No alliance yet among the %(a)s of the territory (nationally, %(share)s of "
                "%(respondents)s report relations with other %(partners)s)."
            ) % values
        return _(
            "No alliance yet between the %(a)s and the %(b)s of the territory (nationally, "
            "%(share)s of %(respondents)s report relations with %(partners)s)."
        ) % values
    if a == b:
        return _("No alliance yet among the %(a)s of the territory.") % values
    return _("No alliance yet between the %(a)s and the %(b)s of the territory.") % values


def _benchmark_of(
    national: dict[tuple[str, str], NationalFigure], a: str, b: str
) -> tuple[NationalFigure | None, str, str]:
    """The national figure for the pair, whichever type the survey asked."""
    if (a, b) in national:
        return national[a, b], a, b
    if (b, a) in national:
        return national[b, a], b, a
    return None, a, b
