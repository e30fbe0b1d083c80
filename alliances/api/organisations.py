from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.pagination import paginate

from alliances.actors.models import Fragility, Organisation
from alliances.actors.selectors import organisation_filter
from alliances.territories.models import Commune, Departement, Region

from .pagination import Pagination
from .schemas import OrganisationFilters, OrganisationOut

router = Router(tags=["organisations"])


def _known(model: type[Model], code: str, label: str) -> Model:
    found = model.objects.filter(pk=code).first()
    if found is None:
        raise HttpError(400, f"Unknown {label}: {code}")
    return found


@router.get("", response=list[OrganisationOut])
@paginate(Pagination)
def organisations(
    request: HttpRequest, filters: Query[OrganisationFilters]
) -> QuerySet[Organisation]:
    """The public organisations, by name; filters combine."""
    queryset = Organisation.objects.public()
    for name, model in (("commune", Commune), ("departement", Departement), ("region", Region)):
        code = getattr(filters, name)
        if code:
            queryset = queryset.in_territory(_known(model, code, name))
    fragility = _known(Fragility, filters.fragility, "fragility") if filters.fragility else None
    queryset = organisation_filter(
        queryset, q=filters.q or "", type=filters.type or "", fragility=fragility
    )
    return queryset.only(
        "id", "name", "type", "commune", "departement", "region", "siren", "rna"
    ).prefetch_related("fragilities")
