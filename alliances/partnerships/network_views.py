"""The network of a territory's actors and alliances: the page (graph, metrics, list
alternative that works without JavaScript) and the compact JSON its graph is drawn from."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from alliances.actors.models import OrganisationType
from alliances.core.pagecache import cached_public_page, current_generation
from alliances.core.paging import page_links

from . import graph
from .models import AllianceStatus, AllianceType
from .territory import territory_from_path, territory_level

ACTORS_PER_PAGE = 50
ALLIANCES_PER_PAGE = 50
ISOLATED_SHOWN = 100
BRIDGES_SHOWN = 10


class NetworkFilterForm(forms.Form):
    """The GET filters of the network; the graph re-applies them in the browser."""

    type = forms.MultipleChoiceField(
        label=gettext_lazy("Actor types"), required=False,
        choices=OrganisationType.choices, widget=forms.CheckboxSelectMultiple,
    )
    alliance_type = forms.ChoiceField(
        label=gettext_lazy("Type of partnership"), required=False,
        choices=[("", gettext_lazy("All types")), *AllianceType.choices],
    )
    fragility = forms.ChoiceField(label=gettext_lazy("Fragilité addressed"), required=False)
    isolated = forms.BooleanField(label=gettext_lazy("Show the isolated actors"),
                                  required=False)

    def __init__(self, *args: Any, fragilities: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fragility"].choices = [("", _("All fragilités")), *fragilities]

    def filters(self) -> graph.Filters:
        self.is_valid()
        data = {name: self.cleaned_data[name] for name in self.fields
                if name in self.cleaned_data and name not in self.errors}
        return graph.Filters(
            actor_types=tuple(sorted(data.get("type") or ())),
            alliance_type=data.get("alliance_type") or "",
            fragility=data.get("fragility") or "",
            isolated=bool(data.get("isolated")),
        )


def _filters(request: HttpRequest, level: str, code: str):
    territory = territory_from_path(level, code)
    viewer = graph.viewer_of(request.user)
    generation = current_generation()
    form = NetworkFilterForm(request.GET, fragilities=graph.fragility_choices(generation))
    return territory, viewer, generation, form, form.filters()


def _network(territory, viewer, generation, filters) -> graph.TerritoryNetwork:
    raw = graph.raw_network(territory, viewer, generation)
    return graph.territory_network(territory, viewer, generation, raw, filters)


@require_GET
@cached_public_page
def network(request: HttpRequest, level: str, code: str) -> HttpResponse:
    territory, viewer, generation, form, filters = _filters(request, level, code)
    net = _network(territory, viewer, generation, filters)
    notices = [
        _("The filter “%(label)s” was ignored: %(error)s")
        % {"label": form.fields[name].label, "error": " ".join(errors)}
        for name, errors in form.errors.items()
    ]
    context = {
        "territory": territory,
        "level": territory_level(territory),
        "form": form,
        "notices": notices,
        "data_url": reverse("partnerships:network_data", args=[level, code]),
        "territory_url": reverse(f"territories:{territory_level(territory)}",
                                 args=[territory.code]),
        **network_context(net, request),
    }
    return render(request, "partnerships/network.html", context)


@require_GET
def network_data(request: HttpRequest, level: str, code: str) -> HttpResponse:
    territory, viewer, generation, form, filters = _filters(request, level, code)
    if form.errors:
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)

    def build() -> bytes:
        net = _network(territory, viewer, generation, filters)
        payload = network_payload(net, graph.positions(net))
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()

    content = graph.cached_json(territory, viewer, generation, filters, build)
    return HttpResponse(content, content_type="application/json")


def type_legend() -> list[dict[str, str]]:
    return [
        {"code": choice.value, "label": str(choice.label),
         "colour": graph.TYPE_STYLE[choice.value][0], "shape": graph.TYPE_STYLE[choice.value][1]}
        for choice in OrganisationType
    ]


# The legend's shapes, drawn as SVG polygons in a 16 × 16 box, like Cytoscape's.
def _polygon(corners: int, *, rotate: float = -90, inner: float | None = None) -> str:
    points = []
    steps = corners * (2 if inner else 1)
    for k in range(steps):
        radius = 7 if not inner or k % 2 == 0 else 7 * inner
        angle = math.radians(rotate + 360 * k / steps)
        points.append(f"{8 + radius * math.cos(angle):.1f},{8 + radius * math.sin(angle):.1f}")
    return " ".join(points)


SHAPE_POINTS = {
    "ellipse": "",
    "rectangle": "1,1 15,1 15,15 1,15",
    "triangle": _polygon(3),
    "diamond": _polygon(4),
    "pentagon": _polygon(5),
    "hexagon": _polygon(6, rotate=0),
    "octagon": _polygon(8, rotate=22.5),
    "star": _polygon(5, inner=0.45),
    "vee": "1,2 8,6 15,2 8,15",
}


def legend_with_shapes() -> list[dict[str, str]]:
    return [{**entry, "points": SHAPE_POINTS[entry["shape"]]} for entry in type_legend()]


def network_payload(net: graph.TerritoryNetwork, coords: np.ndarray | None) -> dict:
    """Arrays, short keys, indices instead of repeated strings: the browser rebuilds the
    links from each alliance's partners (a clique per alliance)."""
    raw, metrics = net.raw, net.metrics
    drawn = net.drawn
    drawn_position = np.full(len(net.node_index), -1, dtype=np.int64)
    drawn_position[drawn] = np.arange(len(drawn))
    orgs = net.node_index[drawn]
    ranks = metrics.betweenness_rank()[drawn]
    # Each alliance's partners that are drawn, for the alliances with two of them or more.
    position = drawn_position[net.partners_node]
    shown = position >= 0
    counts = np.bincount(net.partners_alliance[shown], minlength=len(net.alliance_index))
    linking = counts >= 2
    rows = shown & linking[net.partners_alliance]
    flat = position[rows].tolist()
    bounds = np.r_[0, np.cumsum(counts[linking])].tolist()
    kept = net.alliance_index[linking]
    alliances = {
        "id": raw.alliance_ids[kept].tolist(),
        "t": raw.alliance_types[kept].tolist(),
        "f": raw.fragility_lists(kept),
        "p": [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)],
    }
    payload = {
        "generation": net.generation,
        "layout": "preset" if coords is not None else "cose",
        "types": type_legend(),
        "allianceTypes": [[c.value, str(c.label)] for c in AllianceType],
        "fragilities": [[code, name] for code, name in raw.fragilities],
        "orgUrl": reverse("actors:detail", args=[0]).replace("/0/", "/{id}/"),
        "nodes": {
            "id": raw.org_ids[orgs].tolist(),
            "name": [raw.org_names[i] for i in orgs.tolist()],
            "t": raw.org_types[orgs].tolist(),
            "deg": metrics.degree[drawn].tolist(),
            "rank": ranks.tolist(),
        },
        "alliances": alliances,
    }
    if coords is not None:
        payload["nodes"]["x"] = coords[:, 0].tolist()
        payload["nodes"]["y"] = coords[:, 1].tolist()
    return payload


def network_context(net: graph.TerritoryNetwork, request: HttpRequest) -> dict:
    raw, metrics = net.raw, net.metrics
    # Translated once here, not once per row by the template.
    labels = {code: str(label) for code, label in OrganisationType.choices}
    type_codes = graph.ACTOR_TYPES
    org_url = reverse("actors:detail", args=[0]).replace("/0/", "/{}/")
    ranks = metrics.betweenness_rank()

    def actor(i: int) -> dict:
        index = int(net.node_index[i])
        return {
            "id": int(raw.org_ids[index]),
            "name": raw.org_names[index],
            "type": labels[type_codes[raw.org_types[index]]],
            "url": org_url.format(int(raw.org_ids[index])),
            "degree": int(metrics.degree[i]),
            "alliances": int(net.alliance_count[i]) if len(net.alliance_count) else 0,
            "rank": int(ranks[i]),
        }

    # The list: the drawn actors, the bridges first, then by partners and name.
    drawn = net.drawn
    rank_key = np.where(ranks[drawn] > 0, ranks[drawn], np.iinfo(np.int64).max)
    names = [raw.org_names[int(net.node_index[i])].casefold() for i in drawn.tolist()]
    name_order = np.argsort(np.array(names, dtype=object), kind="stable") if names else drawn
    name_rank = np.empty(len(drawn), dtype=np.int64)
    name_rank[name_order] = np.arange(len(drawn))
    order = drawn[np.lexsort((name_rank, -metrics.degree[drawn], rank_key))] if len(
        drawn) else drawn
    actors_page = Paginator(order.tolist(), ACTORS_PER_PAGE).get_page(request.GET.get("page"))
    actors_page.object_list = [actor(i) for i in actors_page.object_list]

    alliance_url = reverse("partnerships:detail", args=[0]).replace("/0/", "/{}/")
    alliance_labels = {code: str(label) for code, label in AllianceType.choices}
    status_labels = {code: str(label) for code, label in AllianceStatus.choices}
    fragility_names = [name for _code, name in raw.fragilities]

    def alliance(position: int, titles: dict[int, str]) -> dict:
        index = int(net.alliance_index[position])
        return {
            "id": int(raw.alliance_ids[index]),
            "title": titles.get(int(raw.alliance_ids[index]), ""),
            "url": alliance_url.format(int(raw.alliance_ids[index])),
            "type": alliance_labels[graph.ALLIANCE_TYPES[raw.alliance_types[index]]],
            "status": status_labels[graph.ALLIANCE_STATUSES[raw.alliance_status[index]]],
            "fragilities": [fragility_names[f] for f in raw.fragilities_of(index)],
            "partners": int(net.alliance_sizes[position]),
        }

    # Newest first, as the alliances' own lists (ids grow with time).
    alliance_order = list(range(len(net.alliance_index)))[::-1]
    alliances_page = Paginator(alliance_order, ALLIANCES_PER_PAGE).get_page(
        request.GET.get("apage"))
    titles = graph.alliance_titles(
        [int(raw.alliance_ids[net.alliance_index[p]]) for p in alliances_page.object_list])
    alliances_page.object_list = [alliance(p, titles) for p in alliances_page.object_list]

    isolated = metrics.isolated
    present = [t for t in range(len(type_codes)) if (raw.org_types[net.node_index] == t).any()]
    density_rows = []
    for a in present:
        cells = []
        for b in present:
            cell = metrics.density.get((min(a, b), max(a, b)))
            cells.append(
                {"edges": cell[0], "possible": cell[1], "density": cell[2] * 100}
                if cell else None
            )
        density_rows.append({"code": type_codes[a], "label": labels[type_codes[a]],
                             "cells": cells})
    components = net.linked_components
    return {
        "legend": legend_with_shapes(),
        "figures": {
            "actors": len(net.node_index),
            "linked_actors": int((metrics.degree > 0).sum()),
            "alliances": len(net.alliance_index),
            "links": metrics.n_edges,
            "components": len(components),
            "largest": int(components[0]) if len(components) else 0,
            "isolated": len(isolated),
        },
        "betweenness_exact": metrics.betweenness_exact,
        "betweenness_sources": metrics.betweenness_sources,
        "bridges": [actor(int(i)) for i in metrics.top_bridges(BRIDGES_SHOWN)],
        "isolated_actors": [actor(int(i)) for i in isolated[:ISOLATED_SHOWN]],
        "isolated_more": max(0, len(isolated) - ISOLATED_SHOWN),
        "density_header": [{"code": type_codes[t], "label": labels[type_codes[t]]}
                           for t in present],
        "density_rows": density_rows,
        "actors_page": actors_page,
        "actors_links": page_links(request, actors_page, "page"),
        "alliances_page": alliances_page,
        "alliances_links": page_links(request, alliances_page, "apage"),
    }
