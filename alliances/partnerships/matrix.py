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

from dataclasses import dataclass, field
from itertools import combinations_with_replacement

import numpy as np
from django.core.cache import caches
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from alliances.actors.models import Membership, Organisation, OrganisationType
from alliances.core.pagecache import current_generation
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
CACHE_ALIAS = "default"
CACHE_SECONDS = 600
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


@dataclass(frozen=True)
class Counts:
    """The territory's own figures (no national ones): what the cache keeps."""

    types: list[str]  # the actor types present, in TYPE_ORDER
    n: dict[str, int]  # organisations of the territory by type
    alliances: dict[tuple[str, str], int]  # alliances joining both types
    linked: dict[tuple[str, str], int]  # type-A organisations with a type-B partner
    organisations: int
    alliance_count: int


def counts_read(user, territory: Territory) -> Counts:
    """Two queries (the territory's organisations, the partners of its alliances), then the
    counting in numpy: an alliance × type table of partner counts gives both figures."""
    orgs = dict(territory_organisations(user, territory).order_by().values_list("pk", "type"))
    rows = list(
        Partner.objects.filter(
            _partner_visible(user),
            alliance_id__in=territory_alliances(user, territory).values("pk"),
        ).order_by().values_list("alliance_id", "organisation_id", "organisation__type")
    )
    k = len(TYPE_ORDER)
    index = {code: i for i, code in enumerate(TYPE_ORDER)}
    n_of = np.bincount([index[t] for t in orgs.values()], minlength=k)
    pairs = np.zeros((k, k), dtype=np.int64)
    linked = np.zeros((k, k), dtype=np.int64)
    present = n_of > 0
    alliance_count = 0
    if rows:
        alliance_ids, organisation_ids, type_codes = zip(*rows, strict=True)
        alliance, row_of = np.unique(np.array(alliance_ids), return_inverse=True)
        alliance_count = len(alliance)
        organisation = np.array(organisation_ids)
        type_ = np.array([index[t] for t in type_codes])
        # by_type[i, t]: partners of type t in the i-th alliance.
        by_type = np.zeros((alliance_count, k), dtype=np.int64)
        np.add.at(by_type, (row_of, type_), 1)
        joined = (by_type > 0).astype(np.int64)
        pairs = joined.T @ joined  # both types among the partners (a ≠ b)
        np.fill_diagonal(pairs, (by_type >= 2).sum(axis=0))  # two distinct of one type
        present |= joined.any(axis=0)
        # Each of the territory's partners, and the types of the other partners beside it.
        mine = np.isin(organisation, np.fromiter(orgs, dtype=np.int64, count=len(orgs)))
        others = by_type[row_of[mine]]
        others[np.arange(len(others)), type_[mine]] -= 1
        member, member_row = np.unique(organisation[mine], return_inverse=True)
        with_type = np.zeros((len(member), k), dtype=bool)
        np.logical_or.at(with_type, member_row, others > 0)
        member_type = np.array([index[orgs[int(pk)]] for pk in member], dtype=np.int64)
        np.add.at(linked, member_type, with_type.astype(np.int64))
    types = [code for code, here in zip(TYPE_ORDER, present, strict=True) if here]
    return Counts(
        types=types,
        n={a: int(n_of[index[a]]) for a in types},
        alliances={(a, b): int(pairs[index[a], index[b]]) for a in types for b in types},
        linked={(a, b): int(linked[index[a], index[b]]) for a in types for b in types},
        organisations=len(orgs),
        alliance_count=alliance_count,
    )


def _visibility(user) -> str | None:
    """Who sees the same figures: everyone who sees public things only (anonymous
    visitors, and members of no organisation), and platform admins, who see everything.
    None: a member of an organisation, who may see private ones of their own."""
    if getattr(user, "is_platform_admin", False):
        return "all"
    if not user.is_authenticated or not user.memberships.exists():
        return "public"
    return None


def counts_cached(user, territory: Territory) -> Counts:
    """The territory's figures, kept per visibility under the pages' generation, which
    every write on organisations and alliances bumps (core.pagecache): never stale."""
    visibility = _visibility(user)
    if visibility is None:
        return counts_read(user, territory)
    key = (f"partnerships:matrix:{territory_level(territory)}:{territory.code}:"
           f"{current_generation()}:{visibility}")
    counts = caches[CACHE_ALIAS].get(key)
    if counts is None:
        counts = counts_read(user, territory)
        caches[CACHE_ALIAS].set(key, counts, CACHE_SECONDS)
    return counts


def matrix_read(user, territory: Territory) -> Matrix:
    """The who-works-with-whom matrix of the territory as `user` may see it, with the
    national figures beside it (not cached: a wave's publication shows at once)."""
    counts = counts_cached(user, territory)
    national = national_figures(user)
    types = [actor_type(code) for code in counts.types]
    rows = [
        Row(a, counts.n[a.code], [
            Cell(a, b, counts.alliances[a.code, b.code], counts.linked[a.code, b.code],
                 counts.n[a.code], national.get((a.code, b.code)))
            for b in types
        ])
        for a in types
    ]
    matrix = Matrix(territory=territory, types=types, rows=rows,
                    organisations=counts.organisations, alliances=counts.alliance_count)
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
