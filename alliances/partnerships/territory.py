"""Territories named in URLs and query strings: `region/53`, `departement/35`, `commune/35238`
in paths; `territory=35` (a département), `territory=35238` (a commune) or the explicit
`region:53`, `departement:35`, `commune:35238` in query strings."""

import re

from django.http import Http404
from django.shortcuts import get_object_or_404

from alliances.territories.models import Commune, Departement, Region

Territory = Region | Departement | Commune

LEVELS: dict[str, type[Territory]] = {
    "region": Region,
    "departement": Departement,
    "commune": Commune,
}
COMMUNE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
DEPARTEMENT_CODE = re.compile(r"^(\d{2}|2[AB]|97\d)$")


def territory_from_path(level: str, code: str) -> Territory:
    model = LEVELS.get(level)
    if model is None:
        raise Http404
    queryset = model.objects.all()
    if model is Departement:
        queryset = queryset.select_related("region")
    elif model is Commune:
        queryset = queryset.select_related("departement__region")
    return get_object_or_404(queryset, code=code)


def territory_level(territory: Territory) -> str:
    for level, model in LEVELS.items():
        if isinstance(territory, model):
            return level
    raise TypeError(f"not a territory: {territory!r}")


def parse_territory(value: str) -> Territory | None:
    """The territory a query-string value names, or None when it names none (unknown code
    or bad shape): callers turn None into a located error."""
    value = value.strip()
    level, _, code = value.rpartition(":")
    if level:
        model = LEVELS.get(level)
    elif COMMUNE_CODE.match(code):
        model = Commune
    elif DEPARTEMENT_CODE.match(code):
        model = Departement
    else:
        return None
    if model is None:
        return None
    return model.objects.filter(code=code).first()
