"""The network of a territory: its actors (nodes) and the alliances among them (edges),
with the metrics of alliances.lib.network, as one viewer may see them.

Read with a handful of queries (no model object per row) into NumPy arrays. The rows are
cached per territory and visibility class under the page generation
(alliances.core.pagecache): every write service bumps it, so a change shows at once. What
is computed from the rows (metrics, layout) is cached under a digest of the rows and the
filters: after a write elsewhere, the rows are read again and found the same, and the
metrics and layout are not recomputed.

Visibility classes, so that two viewers who may see the same things share one entry:
- "public": anonymous visitors and signed-in people without an organisation (public
  organisations, public alliances);
- "admin": platform admins (everything);
- "orgs:<ids>": members of organisations: the public things plus the private
  organisations they belong to and the private alliances one of those takes part in.
  Keyed by the set of their organisations, which is exactly what decides what they see.

The nodes are the territory's visible organisations. An alliance counts when it is
visible and has a partner among the territory's organisations (one located in the
territory with no partner there links nobody of it); its partners that are nodes form a
clique (k partners: k(k−1)/2 links); the weight of a link is the number of alliances the
two actors share.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
from django.core.cache import caches
from django.db import connections
from django.db.models import Q

from alliances.actors.models import Fragility, Membership, Organisation, OrganisationType
from alliances.lib.network import NetworkMetrics, clique_edges, network_metrics, spring_layout

from .models import Alliance, AllianceStatus, AllianceType, Partner
from .territory import Territory, territory_level

CACHE_ALIAS = "default"
TTL_SECONDS = 600
# Up to this many drawn nodes the browser runs its own force layout (cose); above, the
# server sends positions computed by igraph (alliances.lib.network.spring_layout).
BROWSER_LAYOUT_MAX_NODES = 300

ACTOR_TYPES = [choice.value for choice in OrganisationType]
ALLIANCE_TYPES = [choice.value for choice in AllianceType]
ALLIANCE_STATUSES = [choice.value for choice in AllianceStatus]
STATUS_INDEX = {code: i for i, code in enumerate(ALLIANCE_STATUSES)}
# Okabe–Ito colours (distinguishable with the common colour-vision deficiencies) and one
# shape per type, so the legend does not rest on colour alone.
TYPE_STYLE = {
    "association": ("#0072B2", "ellipse"),
    "fondation": ("#CC79A7", "diamond"),
    "entreprise": ("#E69F00", "rectangle"),
    "collectivite": ("#009E73", "triangle"),
    "etat": ("#56534F", "hexagon"),
    "enseignement": ("#D55E00", "pentagon"),
    "academique": ("#8A6FDF", "star"),
    "reseau": ("#B8860B", "octagon"),
    "catalyseur": ("#0E7C86", "vee"),
}


@dataclass(frozen=True)
class Viewer:
    """What decides what a person sees of a network."""

    is_admin: bool
    organisation_ids: frozenset[int]

    @property
    def key(self) -> str:
        if self.is_admin:
            return "admin"
        if not self.organisation_ids:
            return "public"
        ids = ",".join(str(i) for i in sorted(self.organisation_ids))
        return "orgs:" + hashlib.blake2b(ids.encode(), digest_size=12).hexdigest()


def viewer_of(user) -> Viewer:
    if getattr(user, "is_platform_admin", False):
        return Viewer(is_admin=True, organisation_ids=frozenset())
    if not user.is_authenticated:
        return Viewer(is_admin=False, organisation_ids=frozenset())
    ids = Membership.objects.filter(user=user).values_list("organisation_id", flat=True)
    return Viewer(is_admin=False, organisation_ids=frozenset(ids))


@dataclass(frozen=True)
class Filters:
    """Empty means all. Types and alliance types are indices into ACTOR_TYPES and
    ALLIANCE_TYPES; fragility a code."""

    actor_types: tuple[str, ...] = ()
    alliance_type: str = ""
    fragility: str = ""
    isolated: bool = False

    @property
    def key(self) -> str:
        return f"{'.'.join(self.actor_types)}|{self.alliance_type}|{self.fragility}|" \
               f"{int(self.isolated)}"


@dataclass
class RawNetwork:
    """The rows read from the database for one territory and one visibility class."""

    org_ids: np.ndarray
    org_names: list[str]
    org_types: np.ndarray  # index into ACTOR_TYPES
    alliance_ids: np.ndarray
    alliance_types: np.ndarray  # index into ALLIANCE_TYPES
    alliance_status: np.ndarray  # index into ALLIANCE_STATUSES
    # Each alliance's fragilités (indices into `fragilities`, sorted), flat: those of
    # alliance i are fragility_codes[fragility_bounds[i]:fragility_bounds[i + 1]].
    fragility_codes: np.ndarray
    fragility_bounds: np.ndarray
    partner_alliance: np.ndarray  # one row per (alliance, partner that is a node)
    partner_node: np.ndarray  # node index (into org_ids)
    fragilities: list[tuple[str, str]]  # (code, name)
    # A digest of everything `compute` reads (not the names): the metrics and the layout
    # are cached under it, so a write elsewhere (which moves the page generation) costs
    # the read of the rows again, not the metrics and the layout.
    digest: str = ""

    def fragilities_of(self, i: int) -> list[int]:
        return self.fragility_codes[self.fragility_bounds[i]:self.fragility_bounds[i + 1]].tolist()

    def fragility_lists(self, alliances: np.ndarray) -> list[list[int]]:
        """The fragilités of these alliances (indices into the rows), one list each."""
        codes = self.fragility_codes.tolist()
        bounds = self.fragility_bounds
        return [codes[a:b] for a, b in zip(bounds[alliances].tolist(),
                                            bounds[alliances + 1].tolist(), strict=True)]


@dataclass
class TerritoryNetwork:
    raw: RawNetwork
    filters: Filters
    generation: int
    node_mask: np.ndarray  # the organisations kept by the actor-type filter
    alliance_mask: np.ndarray  # the alliances kept by the alliance filters
    metrics: NetworkMetrics  # over the kept organisations (isolated ones included)
    node_index: np.ndarray  # kept organisations → index into raw.org_*
    alliance_count: np.ndarray  # per kept organisation: its kept alliances
    alliance_sizes: np.ndarray  # per kept alliance: its partners among the kept actors
    alliance_index: np.ndarray  # kept alliances → index into raw.alliance_*
    partners_alliance: np.ndarray  # the same partners as two arrays, sorted by alliance
    partners_node: np.ndarray
    drawn: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    def __getstate__(self) -> dict:
        # Cached without its rows: they are cached once beside it (see territory_network).
        return {**self.__dict__, "raw": None}

    @property
    def n_links(self) -> int:
        return self.metrics.n_edges

    @property
    def linked_components(self) -> np.ndarray:
        """Sizes of the components of two actors or more (an isolated actor is not one)."""
        sizes = self.metrics.component_sizes
        return sizes[sizes > 1]


def _territory_field(territory: Territory) -> str:
    return territory_level(territory)


def _rows(queryset) -> list[tuple]:
    """The rows of a `values_list` query set, fetched by the database cursor in one go:
    tens of thousands of short rows, without the ORM's per-row iteration (the half of a
    cold page's time before). SQLite gives booleans as 0 and 1, which serve as well."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _rows_by_ids(model, columns: list[str], id_column: str, ids: list[int], *,
                 order: bool = False) -> list[tuple]:
    """The rows of `model` (its fields `columns`) whose field `id_column` is among `ids`
    (thousands of them), without the ORM's per-value preparation of an `__in` list (a
    quarter of a second for 15,000 ids). PostgreSQL gets them as one array parameter
    (`IN (SELECT unnest(…))`: a long `IN (…)` list costs its planner a selectivity
    estimate per value, 40 ms for 15,000); SQLite as integer literals (no limit on
    parameters to split around)."""
    if not ids:
        return []
    connection = connections[model.objects.db]
    meta = model._meta

    def quote(name: str) -> str:
        return connection.ops.quote_name(meta.get_field(name).column)

    if connection.vendor == "postgresql":
        listed, params = "SELECT unnest(%s::bigint[])", [[int(pk) for pk in ids]]
    else:
        listed, params = ",".join(map(str, map(int, ids))), None
    # Names from the model's meta, quoted; the values integers: no outside text in the SQL.
    sql = (f"SELECT {', '.join(quote(c) for c in columns)} FROM "  # noqa: S608
           f"{connection.ops.quote_name(meta.db_table)}"
           f" WHERE {quote(id_column)} IN ({listed})")
    if order:
        sql += f" ORDER BY {quote(id_column)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def read_raw(territory: Territory, viewer: Viewer,
             fragilities: list[tuple[str, str]] | None = None) -> RawNetwork:
    level = _territory_field(territory)
    organisations = Organisation.objects.filter(**{level: territory})
    if not viewer.is_admin:
        organisations = organisations.filter(
            Q(is_public=True) | Q(pk__in=viewer.organisation_ids)
        )
    ids, names, types = _columns(
        _rows(organisations.order_by("pk").values_list("pk", "name", "type")), 3)
    type_index = {code: i for i, code in enumerate(ACTOR_TYPES)}
    org_ids = np.array(ids, dtype=np.int64)  # sorted
    org_names = list(names)
    org_types = _indices(types, type_index)

    # The alliances with a partner in the territory: the partner rows of the territory's
    # organisations (through the organisations' territory index), visible or not (a
    # private organisation still ties its alliance to the territory, it is just no node).
    # The alliances and their fragilités are then read by id, from the partner rows' ids,
    # rather than by running the partner rows' join again twice as a subquery.
    in_territory = Partner.objects.filter(**{f"organisation__{level}": territory})
    partner_rows = _rows(in_territory.order_by().values_list("alliance_id", "organisation_id"))
    partners = np.fromiter(chain.from_iterable(partner_rows), dtype=np.int64,
                           count=2 * len(partner_rows)).reshape(-1, 2)
    touching = np.unique(partners[:, 0]).tolist()
    alliance_rows = _rows_by_ids(Alliance, ["id", "type", "status", "is_public"], "id",
                                 touching, order=True)
    fragility_rows = _rows_by_ids(Alliance.fragilities.through,
                                  ["alliance", "fragility"], "alliance", touching)
    if fragilities is None:
        fragilities = list(Fragility.objects.values_list("code", "name"))

    if not viewer.is_admin:
        # A private alliance is seen by the members of its partners only (wherever their
        # organisation is: one outside the territory counts too). Its partner and
        # fragilité rows then match no alliance and are dropped below.
        theirs = set(
            Partner.objects.filter(organisation_id__in=viewer.organisation_ids)
            .values_list("alliance_id", flat=True)
        ) if viewer.organisation_ids else set()
        alliance_rows = [r for r in alliance_rows if r[3] or r[0] in theirs]
    a_ids, a_types, a_status, _public = _columns(alliance_rows, 4)
    alliance_ids = np.array(a_ids, dtype=np.int64)
    kind_index = {code: i for i, code in enumerate(ALLIANCE_TYPES)}
    fragility_index = {code: i for i, (code, _) in enumerate(fragilities)}

    # Each alliance's fragilités (indices, sorted), grouped with NumPy.
    f_ids, f_codes = _columns(fragility_rows, 2)
    f_alliance, f_found = _positions(alliance_ids, np.array(f_ids, dtype=np.int64))
    f_code = _indices(f_codes, fragility_index)
    f_alliance, f_code = f_alliance[f_found], f_code[f_found]
    order = np.lexsort((f_code, f_alliance))
    codes = f_code[order]
    bounds = np.searchsorted(f_alliance[order], np.arange(len(alliance_ids) + 1))

    # The partner rows whose alliance is visible and whose organisation is a node.
    p_alliance, a_found = _positions(alliance_ids, partners[:, 0])
    p_node, o_found = _positions(org_ids, partners[:, 1])
    kept = a_found & o_found
    alliance_types = _indices(a_types, kind_index)
    digest = _digest(org_ids, org_types, alliance_ids, alliance_types, p_alliance[kept],
                     p_node[kept], codes, bounds,
                     np.frombuffer("|".join(c for c, _ in fragilities).encode(), dtype=np.uint8))
    return RawNetwork(
        org_ids=org_ids,
        org_names=org_names,
        org_types=org_types,
        alliance_ids=alliance_ids,
        alliance_types=alliance_types,
        alliance_status=_indices(a_status, STATUS_INDEX),
        fragility_codes=codes,
        fragility_bounds=bounds,
        partner_alliance=p_alliance[kept],
        partner_node=p_node[kept],
        fragilities=fragilities,
        digest=digest,
    )


def _digest(*arrays: np.ndarray) -> str:
    """A digest of arrays, their lengths included (so no two splits of the same bytes
    collide)."""
    hasher = hashlib.blake2b(digest_size=16)
    for array in arrays:
        data = np.ascontiguousarray(array)
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data.tobytes())
    return hasher.hexdigest()


def _columns(rows: list[tuple], width: int) -> list[tuple]:
    """The columns of rows (tuples of `width` values), each a tuple."""
    return list(zip(*rows, strict=True)) if rows else [()] * width


def _indices(values: tuple, index: dict) -> np.ndarray:
    """The positions of codes in a list of codes (`index`: code → position)."""
    return np.array(list(map(index.__getitem__, values)), dtype=np.int64)


def _positions(sorted_ids: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each value sits in `sorted_ids`, and whether it is there at all."""
    if len(sorted_ids) == 0:
        return np.zeros(len(values), dtype=np.int64), np.zeros(len(values), dtype=bool)
    position = np.minimum(np.searchsorted(sorted_ids, values), len(sorted_ids) - 1)
    return position, sorted_ids[position] == values


def alliance_titles(ids: list[int]) -> dict[int, str]:
    """The titles of a few alliances (the listed page's): the rows keep none, as a
    territory's thousands of titles would be read for the twenty shown."""
    return dict(Alliance.objects.filter(pk__in=ids).values_list("pk", "title"))


def compute(raw: RawNetwork, filters: Filters, generation: int = 0) -> TerritoryNetwork:
    """The metrics of the network the filters keep (from the raw rows, no query)."""
    n_orgs = len(raw.org_ids)
    if filters.actor_types:
        wanted = [ACTOR_TYPES.index(code) for code in filters.actor_types]
        node_mask = np.isin(raw.org_types, wanted)
    else:
        node_mask = np.ones(n_orgs, dtype=bool)
    alliance_mask = np.ones(len(raw.alliance_ids), dtype=bool)
    if filters.alliance_type:
        alliance_mask &= raw.alliance_types == ALLIANCE_TYPES.index(filters.alliance_type)
    if filters.fragility:
        codes = [code for code, _ in raw.fragilities]
        wanted_fragility = codes.index(filters.fragility)
        with_it = np.zeros(len(raw.alliance_ids), dtype=bool)
        row_alliance = np.repeat(np.arange(len(raw.alliance_ids)), np.diff(raw.fragility_bounds))
        with_it[row_alliance[raw.fragility_codes == wanted_fragility]] = True
        alliance_mask &= with_it

    node_index = np.flatnonzero(node_mask)
    new_node = np.full(n_orgs, -1, dtype=np.int64)
    new_node[node_index] = np.arange(len(node_index))
    alliance_index = np.flatnonzero(alliance_mask)
    new_alliance = np.full(len(raw.alliance_ids), -1, dtype=np.int64)
    new_alliance[alliance_index] = np.arange(len(alliance_index))

    rows = (new_node[raw.partner_node] >= 0) & (new_alliance[raw.partner_alliance] >= 0)
    p_alliance = new_alliance[raw.partner_alliance[rows]]
    p_node = new_node[raw.partner_node[rows]]
    src, dst, _, _ = clique_edges(p_alliance, p_node)
    ids = np.arange(len(node_index), dtype=np.int64)
    metrics = network_metrics(
        ids, raw.org_types[node_index], src, dst, n_types=len(ACTOR_TYPES)
    )
    metrics.node_ids = raw.org_ids[node_index]
    alliance_count = np.bincount(p_node, minlength=len(node_index))
    order = np.argsort(p_alliance, kind="stable")
    drawn = np.arange(len(node_index)) if filters.isolated else np.flatnonzero(
        metrics.degree > 0
    )
    return TerritoryNetwork(
        raw=raw, filters=filters, generation=generation, node_mask=node_mask,
        alliance_mask=alliance_mask, metrics=metrics, node_index=node_index,
        alliance_count=alliance_count,
        alliance_sizes=np.bincount(p_alliance, minlength=len(alliance_index)),
        alliance_index=alliance_index, partners_alliance=p_alliance[order],
        partners_node=p_node[order], drawn=drawn,
    )


def _key(territory: Territory, viewer: Viewer, generation: int, *parts: str) -> str:
    level = territory_level(territory)
    return ":".join(["network", str(generation), level, territory.code, viewer.key, *parts])


def raw_network(territory: Territory, viewer: Viewer, generation: int) -> RawNetwork:
    """The rows of the territory's network for this viewer, from the cache when the page
    generation has not moved since they were read."""
    cache = caches[CACHE_ALIAS]
    key = _key(territory, viewer, generation, "raw")
    raw = cache.get(key)
    if raw is None:
        raw = read_raw(territory, viewer, fragility_choices(generation))
        cache.set(key, raw, TTL_SECONDS)
    return raw


def territory_network(
    territory: Territory, viewer: Viewer, generation: int, raw: RawNetwork, filters: Filters
) -> TerritoryNetwork:
    """The network as this viewer sees it with these filters: cached under the digest of
    the rows it is computed from (the same rows give the same metrics, whoever reads them
    and whatever the page generation)."""
    cache = caches[CACHE_ALIAS]
    key = _content_key(raw, filters.key)
    network = cache.get(key)
    if network is None:
        network = compute(raw, filters, generation)
        cache.set(key, network, TTL_SECONDS)
    network.raw = raw
    network.generation = generation
    return network


def _content_key(raw: RawNetwork, *parts: str) -> str:
    return ":".join(["network", "rows", raw.digest, *parts])


def cached_json(territory: Territory, viewer: Viewer, generation: int, filters: Filters,
                build) -> bytes:
    """The JSON answer, built once per generation, territory, viewer class and filters:
    a warm request then costs two queries and a copy of bytes (not the unpickling of the
    rows and metrics)."""
    cache = caches[CACHE_ALIAS]
    key = _key(territory, viewer, generation, filters.key, "json")
    content = cache.get(key)
    if content is None:
        content = build()
        cache.set(key, content, TTL_SECONDS)
    return content


def fragility_choices(generation: int) -> list[tuple[str, str]]:
    """The fragilités (code, name), for validating the filters before any heavy read."""
    cache = caches[CACHE_ALIAS]
    key = f"network:{generation}:fragilities"
    choices = cache.get(key)
    if choices is None:
        choices = list(Fragility.objects.values_list("code", "name"))
        cache.set(key, choices, TTL_SECONDS)
    return choices


def positions(network: TerritoryNetwork) -> np.ndarray | None:
    """Preset positions of the drawn nodes for a large network (None: the browser lays it
    out). Cached beside the network: the layout is the slowest part of a cold JSON."""
    n = len(network.drawn)
    if n <= BROWSER_LAYOUT_MAX_NODES:
        return None
    cache = caches[CACHE_ALIAS]
    key = _content_key(network.raw, network.filters.key, "layout")
    coords = cache.get(key)
    if coords is not None:
        return coords
    drawn_position = np.full(len(network.node_index), -1, dtype=np.int64)
    drawn_position[network.drawn] = np.arange(n)
    edges = _edges(network)
    src, dst = drawn_position[edges[0]], drawn_position[edges[1]]
    keep = (src >= 0) & (dst >= 0)
    coords = spring_layout(n, src[keep], dst[keep])
    coords = np.rint(coords * 10).astype(np.int64)  # ten units per layout unit is plenty
    cache.set(key, coords, TTL_SECONDS)
    return coords


def _edges(network: TerritoryNetwork) -> tuple[np.ndarray, np.ndarray]:
    src, dst, _, _ = clique_edges(network.partners_alliance, network.partners_node)
    return src, dst
