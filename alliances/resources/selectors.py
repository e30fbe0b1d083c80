"""Reads of the resource centre: the référentiel tree, the search page, a resource's page
with its related resources, the référentiel's counts."""

import html
import re
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.http import QueryDict
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from alliances.core.vocabularies import TagFamily, tag_families
from alliances.resources import search
from alliances.territories.models import Region

from .models import Licence, ReferentielNode, Resource, ResourceKind


@dataclass
class TreeNode:
    node: ReferentielNode
    number: str  # "2.1.3": positions from the root, as the référentiel is cited
    depth: int  # 1 part, 2 chapter, 3 question
    children: list["TreeNode"] = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.node.pk

    @property
    def title(self) -> str:
        return self.node.title


def referentiel_tree() -> list[TreeNode]:
    """The whole référentiel as a numbered tree, in one query."""
    nodes = list(ReferentielNode.objects.order_by("position", "id"))
    by_parent: dict[int | None, list[ReferentielNode]] = {}
    for node in nodes:
        by_parent.setdefault(node.parent_id, []).append(node)

    def build(parent_id: int | None, prefix: str, depth: int) -> list[TreeNode]:
        made = []
        for n, node in enumerate(by_parent.get(parent_id, []), start=1):
            number = f"{prefix}{n}"
            made.append(
                TreeNode(node, number, depth, build(node.pk, f"{number}.", depth + 1))
            )
        return made

    return build(None, "", 1)


def referentiel_flat() -> list[TreeNode]:
    """The tree in reading order (depth first), for lists and choices."""
    out: list[TreeNode] = []

    def walk(items: list[TreeNode]) -> None:
        for item in items:
            out.append(item)
            walk(item.children)

    walk(referentiel_tree())
    return out


# -- the public centre: search, resource page, référentiel counts -------------------------

SEARCH_FAMILIES = ("kind", "tag", "territoire", "annee")
QUERY_MAX_LENGTH = 200
PER_PAGE = 20
YEAR = re.compile(r"^\d{4}$")

LICENCE_URLS: dict[str, str] = {
    Licence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/deed.fr",
    Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/deed.fr",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/deed.fr",
    Licence.ETALAB: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}


@dataclass
class SearchParams:
    """A search as asked: the query, the facet filters and the page, each value checked;
    `errors` says, for people, what was left out and why."""

    query: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: str = "1"
    errors: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (parameter, value)


def _family_labels() -> dict[str, str]:
    return {
        "kind": gettext("Kind"),
        "tag": gettext("Tag"),
        "territoire": gettext("Region"),
        "annee": gettext("Year"),
    }


def clean_query(raw: str) -> tuple[str, list[str]]:
    """The query with its spaces tidied, cut to QUERY_MAX_LENGTH (saying so)."""
    query = " ".join(raw.split())
    if len(query) <= QUERY_MAX_LENGTH:
        return query, []
    cut = query[:QUERY_MAX_LENGTH + 1].rsplit(" ", 1)[0] or query[:QUERY_MAX_LENGTH]  # whole words
    return cut[:QUERY_MAX_LENGTH], [
        gettext("The search was cut to its first %(n)d characters.") % {"n": QUERY_MAX_LENGTH}
    ]


def search_params(params: QueryDict, *, families: dict[str, dict[str, str]] | None = None
                  ) -> SearchParams:
    """Read `q`, `kind`, `tag` (`family:code`), `territoire` (region code), `annee` and
    `page` from a query string. Unknown values are dropped and named in `errors` (the page
    shows them; the API answers 400)."""
    getlist = params.getlist
    out = SearchParams(page=(params.get("page") or "1"))
    out.query, out.errors = clean_query(params.get("q") or "")
    raw = {name: list(dict.fromkeys(v.strip() for v in getlist(name) if v.strip()))
           for name in SEARCH_FAMILIES}
    known: dict[str, set[str]] = {"kind": set(ResourceKind.values)}
    if raw["tag"]:
        families = families if families is not None else tag_families()
        known["tag"] = {f"{f}:{c}" for f, codes in families.items() for c in codes}
    if raw["territoire"]:
        known["territoire"] = set(
            Region.objects.filter(code__in=raw["territoire"]).values_list("code", flat=True)
        )
    labels = _family_labels()
    for name, values in raw.items():
        good = [v for v in values if (YEAR.match(v) if name == "annee" else v in known[name])]
        for bad in values:
            if bad not in good:
                out.rejected.append((name, bad))
                out.errors.append(
                    gettext("The filter “%(family)s” has no value “%(value)s”: it was ignored.")
                    % {"family": labels[name], "value": bad[:50]}
                )
        if good:
            out.filters[name] = good
    return out


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class FacetGroup:
    name: str  # the query parameter
    label: str
    values: list[FacetValue]


@dataclass
class SelectedFilter:
    name: str
    value: str
    label: str  # "Kind: practical sheet"
    remove_query: str  # the query string without it


@dataclass
class SearchPage:
    params: SearchParams
    result: search.SearchResult
    hits: list["Row"]
    page: Page
    facets: list[FacetGroup]
    selected: list[SelectedFilter]

    @property
    def page_range(self) -> list[int | str]:
        return list(
            self.page.paginator.get_elided_page_range(self.page.number, on_each_side=2, on_ends=1)
        )

    @property
    def corrected(self) -> str:
        return " ".join(self.result.corrected)


@dataclass
class Row:
    """A search hit with its resource. `in_summary`: the snippet is a piece of the summary
    (shown highlighted in its place rather than twice)."""

    resource: Resource
    hit: search.Hit
    title_html: SafeString = SafeString("")  # the title escaped, matched words in <mark>

    @property
    def in_summary(self) -> bool:
        text = html.unescape(strip_tags(self.hit.snippet_html)).strip(" …")
        return bool(text) and text in self.resource.summary

    @property
    def snippet_html(self) -> SafeString:
        return mark_safe(self.hit.snippet_html)  # noqa: S308 -- escaped, <mark> only

    @property
    def highlighted(self) -> bool:
        return "<mark>" in self.hit.snippet_html


def hits_with_rows(result: search.SearchResult, query: str) -> list[Row]:
    """Each hit with its published resource, in rank order, in one query (a hit the index
    would still hold for a resource no longer published is left out), and its title with
    the words that matched (the engine's snippet covers the summary and body only)."""
    from alliances.resources.search import text

    terms = result.corrected or text.query_terms(query)
    rows = Resource.objects.published().filter(pk__in=[h.id for h in result.hits]).for_list()
    by_id = {r.pk: r for r in rows}
    return [
        # Both escaped by the engine's text helper, with <mark> its only tag.
        Row(by_id[h.id], h, mark_safe(text.snippet_html(terms, by_id[h.id].title, width=1000)))  # noqa: S308
        for h in result.hits if h.id in by_id
    ]


def _value_labels(facets: dict[str, dict[str, int]], filters: dict[str, list[str]],
                  families: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Labels of every facet value shown or selected (one query for region names)."""
    def values(name: str) -> set[str]:
        return set(facets.get(name, {})) | set(filters.get(name, []))

    regions = dict(
        Region.objects.filter(code__in=values("territoire")).values_list("code", "name")
    ) if values("territoire") else {}
    tags = {}
    for value in values("tag"):
        family, _sep, code = value.partition(":")
        tags[value] = families.get(family, {}).get(code, value)
    return {
        "kind": {v: str(ResourceKind(v).label) if v in ResourceKind.values else v
                 for v in values("kind")},
        "tag": tags,
        "territoire": {v: regions.get(v, v) for v in values("territoire")},
        "annee": {v: v for v in values("annee")},
    }


def _facet_groups(result: search.SearchResult, params: SearchParams,
                  families: dict[str, dict[str, str]], labels: dict[str, dict[str, str]]
                  ) -> list[FacetGroup]:
    """The facets to tick: kind, then tags by family, then region and year. A selected
    value stays listed even when nothing has it any more (so it can be unticked)."""
    def group(name: str, label: str, values: list[str]) -> FacetGroup:
        counts = result.facets.get(name, {})
        selected = set(params.filters.get(name, []))
        return FacetGroup(name, label, [
            FacetValue(v, labels[name].get(v, v), counts.get(v, 0), v in selected)
            for v in values
        ])

    def shown(name: str) -> list[str]:
        return list(dict.fromkeys([*result.facets.get(name, {}), *params.filters.get(name, [])]))

    groups = [group("kind", gettext("Kind"), sorted(
        shown("kind"), key=lambda v: ResourceKind.values.index(v)
        if v in ResourceKind.values else 99))]
    tags = shown("tag")
    for family, codes in families.items():
        order = list(codes)
        mine = sorted((t for t in tags if t.split(":", 1)[0] == family),
                      key=lambda t: order.index(t.split(":", 1)[1])
                      if t.split(":", 1)[1] in order else len(order))
        if mine:
            groups.append(group("tag", str(TagFamily(family).label), mine))
    groups.append(group("territoire", gettext("Region"),
                        sorted(shown("territoire"), key=lambda v: labels["territoire"][v])))
    groups.append(group("annee", gettext("Year"), sorted(shown("annee"), reverse=True)))
    return [g for g in groups if g.values]


def _selected(params: SearchParams, query: QueryDict, labels: dict[str, dict[str, str]]
              ) -> list[SelectedFilter]:
    names = _family_labels()
    out = []
    for name, values in params.filters.items():
        for value in values:
            rest = query.copy()
            rest.setlist(name, [v for v in query.getlist(name) if v.strip() != value])
            rest.pop("page", None)
            out.append(SelectedFilter(
                name, value, f"{names[name]} : {labels[name].get(value, value)}",
                rest.urlencode(),
            ))
    return out


def resource_search(query: QueryDict, *, per_page: int = PER_PAGE) -> SearchPage:
    """The search page: checked parameters, the engine's page of hits with their rows (in
    rank order), facets labelled and grouped, the filters in use. Five queries or so: the
    engine's two, the rows, the fragilities' names, the regions' names."""
    families = tag_families()
    params = search_params(query, families=families)

    def run(number: int) -> search.SearchResult:
        return search.search(params.query, filters=params.filters, limit=per_page,
                             offset=(number - 1) * per_page)

    try:
        number = int(params.page)
        if number < 1:
            raise ValueError
    except ValueError:
        params.errors.append(gettext("The page number is not valid: here is the first page."))
        number = 1
    result = run(number)
    # A paginator over the count only (a range is never materialised): its page numbers,
    # elided range and bounds are the page's.
    paginator = Paginator(range(result.count), per_page)
    if number > paginator.num_pages:
        params.errors.append(gettext("This page does not exist: here is the last page."))
        number = paginator.num_pages
        result = run(number)
    labels = _value_labels(result.facets, params.filters, families)
    return SearchPage(
        params=params,
        result=result,
        hits=hits_with_rows(result, params.query),
        page=paginator.page(number),
        facets=_facet_groups(result, params, families, labels),
        selected=_selected(params, query, labels),
    )


# -- a resource's page --------------------------------------------------------------------

RELATED_LIMIT = 5


def resource_detail(pk: int) -> Resource | None:
    """A resource with all its page shows, in six queries: the row with its territory and
    contributor, then its tags, files, links, public organisations, nodes and the steps of
    public programmes."""
    from django.db.models import Prefetch

    from alliances.actors.models import Organisation
    from alliances.journeys.models import ProgrammeStep

    return (
        Resource.objects.select_related("region", "departement", "contributor")
        .prefetch_related(
            "tags", "files", "links", "nodes",
            Prefetch("organisations",
                     queryset=Organisation.objects.public().only("id", "name").order_by("name")),
            Prefetch("steps", queryset=ProgrammeStep.objects.filter(
                phase__programme__is_public=True
            ).select_related("phase__programme").order_by(
                "phase__programme__name", "phase__position", "position")),
        )
        .filter(pk=pk)
        .first()
    )


def related_resources(resource: Resource, *, limit: int = RELATED_LIMIT) -> list[Resource]:
    """Published resources sharing référentiel nodes or tags with this one, those sharing
    most first, in one query (its tags and nodes must be prefetched)."""
    from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
    from django.db.models.expressions import Combinable
    from django.db.models.functions import Coalesce

    from .models import ResourceTag

    tags = [(t.family, t.code) for t in resource.tags.all()]
    node_ids = [n.pk for n in resource.nodes.all()]
    if not tags and not node_ids:
        return []

    def counted(queryset) -> Coalesce:
        return Coalesce(
            Subquery(queryset.values("resource_id").annotate(n=Count("*")).values("n")[:1],
                     output_field=IntegerField()),
            Value(0),
        )

    shared: Combinable = Value(0)
    if tags:
        same_tag = Q()
        for family, code in tags:
            same_tag |= Q(family=family, code=code)
        shared = shared + counted(
            ResourceTag.objects.filter(same_tag, resource_id=OuterRef("pk"))
        )
    if node_ids:
        through = Resource.nodes.through
        shared = shared + counted(
            through.objects.filter(resource_id=OuterRef("pk"), referentielnode_id__in=node_ids)
        )
    return list(
        Resource.objects.published().exclude(pk=resource.pk).for_list()
        .annotate(shared=shared).filter(shared__gt=0)
        .order_by("-shared", "-published_at", "-id")[:limit]
    )


def node_numbers() -> dict[int, str]:
    """Every référentiel node's number ("2.1.3"), by id, in one query."""
    return {item.pk: item.number for item in referentiel_flat()}


# -- the référentiel's pages --------------------------------------------------------------


def published_counts() -> dict[int, int]:
    """For each référentiel node, how many published resources it or its descendants serve
    (a resource filed under a chapter and one of its questions counts once), in one query.
    The tree has three levels, so a node's ancestors are its parent and grandparent."""
    from django.db import connection

    from .models import ResourceStatus

    through = Resource.nodes.through._meta.db_table
    nodes = ReferentielNode._meta.db_table
    resources = Resource._meta.db_table
    ancestors = ("n.id", "n.parent_id", "p.parent_id")
    parts = [
        f"SELECT {ancestor} AS node_id, t.resource_id FROM {through} t "  # noqa: S608
        f"JOIN {resources} r ON r.id = t.resource_id "
        f"JOIN {nodes} n ON n.id = t.referentielnode_id "
        f"LEFT JOIN {nodes} p ON p.id = n.parent_id "
        f"WHERE r.status = %s AND {ancestor} IS NOT NULL"
        for ancestor in ancestors
    ]
    sql = (
        "SELECT node_id, COUNT(DISTINCT resource_id) FROM ("  # noqa: S608
        + " UNION ALL ".join(parts) + ") served GROUP BY node_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ResourceStatus.PUBLISHED] * len(ancestors))
        return dict(cursor.fetchall())


def find_in_tree(tree: list[TreeNode], pk: int) -> tuple[TreeNode, list[TreeNode]] | None:
    """The tree node of this id and its ancestors (root first), or None."""
    for item in tree:
        if item.pk == pk:
            return item, []
        found = find_in_tree(item.children, pk)
        if found is not None:
            return found[0], [item, *found[1]]
    return None


def subtree_numbers(item: TreeNode) -> dict[int, str]:
    out = {item.pk: item.number}
    for child in item.children:
        out.update(subtree_numbers(child))
    return out


def node_resources(item: TreeNode, page_number: str | int, *, per_page: int = PER_PAGE
                   ) -> Page:
    """The published resources of a node and of its descendants, the node's own first,
    newest first, in three
    queries: the count, the page, the nodes of its rows. Each resource carries `served`: the
    numbers of the descendants it is filed under when it is not filed under the node
    itself."""
    from django.db.models import Exists, OuterRef, Prefetch

    numbers = subtree_numbers(item)
    through = Resource.nodes.through
    queryset = (
        Resource.objects.published()
        .filter(Exists(through.objects.filter(
            resource_id=OuterRef("pk"), referentielnode_id__in=list(numbers)
        )))
        .annotate(direct=Exists(through.objects.filter(
            resource_id=OuterRef("pk"), referentielnode_id=item.pk
        )))
        .for_list()
        .order_by("-direct", "-published_at", "-id")
        .prefetch_related(Prefetch(
            "nodes", queryset=ReferentielNode.objects.filter(pk__in=list(numbers)).only("id"),
            to_attr="served_nodes",
        ))
    )
    page = Paginator(queryset, per_page).get_page(page_number)
    page.object_list = list(page.object_list)
    for resource in page.object_list:
        # A descendant's resource is marked with the numbers it is filed under.
        resource.served = [] if resource.direct else sorted(
            (numbers[n.pk] for n in resource.served_nodes),
            key=lambda number: [int(part) for part in number.split(".")],
        )
    return page


@dataclass
class TagGroup:
    label: str  # the family's
    tags: list[tuple[str, str]]  # (value for the search filter, label)


def tag_groups(resource: Resource, families: dict[str, dict[str, str]]) -> list[TagGroup]:
    """A resource's (prefetched) tags by family, in the vocabularies' order."""
    mine = {(t.family, t.code) for t in resource.tags.all()}
    groups = []
    for family, codes in families.items():
        tags = [(f"{family}:{code}", label) for code, label in codes.items()
                if (family, code) in mine]
        if tags:
            groups.append(TagGroup(str(TagFamily(family).label), tags))
    return groups
