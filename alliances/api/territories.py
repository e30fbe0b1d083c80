from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.pagination import paginate

from alliances.territories.models import Commune, Departement, Region

from .pagination import Pagination
from .schemas import CommuneFilters, CommuneOut, DepartementFilters, DepartementOut, RegionOut

router = Router(tags=["territories"])


@router.get("/regions", response=list[RegionOut])
@paginate(Pagination)
def regions(request: HttpRequest) -> QuerySet[Region]:
    """The regions, by INSEE code."""
    return Region.objects.order_by("code")


@router.get("/departements", response=list[DepartementOut])
@paginate(Pagination)
def departements(
    request: HttpRequest, filters: Query[DepartementFilters]
) -> QuerySet[Departement]:
    """The départements, by INSEE code, optionally of one region."""
    queryset = Departement.objects.order_by("code")
    if filters.region:
        if not Region.objects.filter(code=filters.region).exists():
            raise HttpError(400, f"Unknown region: {filters.region}")
        queryset = queryset.filter(region_id=filters.region)
    return queryset


@router.get("/communes", response=list[CommuneOut])
@paginate(Pagination)
def communes(request: HttpRequest, filters: Query[CommuneFilters]) -> QuerySet[Commune]:
    """The communes, by name, optionally of one département and matching a name."""
    queryset = Commune.objects.select_related("departement").order_by("name", "code")
    if filters.departement:
        if not Departement.objects.filter(code=filters.departement).exists():
            raise HttpError(400, f"Unknown département: {filters.departement}")
        queryset = queryset.filter(departement_id=filters.departement)
    if filters.q:
        queryset = queryset.search(filters.q)
    return queryset
