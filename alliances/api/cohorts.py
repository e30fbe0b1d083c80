import datetime
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router
from ninja.errors import HttpError
from ninja.pagination import paginate

from alliances.journeys.models import Cohort, Session, StepCategory, StepKind

from .journeys_schemas import CohortFilters, CohortOut, SessionFilters, SessionOut
from .pagination import Pagination

router = Router(tags=["parcours"])
MAX_ID = 2**63 - 1  # a larger id would overflow the database's integer: a 400, not a 500
PARIS = ZoneInfo("Europe/Paris")


def _aware(moment: datetime.datetime) -> datetime.datetime:
    """A datetime given without offset is read as Paris time, the time of the parcours."""
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, PARIS)


@router.get("", response=list[CohortOut])
@paginate(Pagination)
def cohorts(request: HttpRequest, filters: Query[CohortFilters]) -> QuerySet[Cohort]:
    """The public cohorts, plus one's own when signed in; latest first."""
    queryset = Cohort.objects.visible_to(request.user).select_related("programme")
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.programme:
        queryset = queryset.filter(programme__slug=filters.programme)
    return queryset.only(
        "id", "name", "slug", "status", "start", "end", "visibility", "programme__slug"
    ).order_by("-start", "id")


@router.get("/{cohort_id}/sessions", response=list[SessionOut])
@paginate(Pagination)
def cohort_sessions(
    request: HttpRequest,
    filters: Query[SessionFilters],
    cohort_id: int = Path(..., ge=1, le=MAX_ID),
) -> QuerySet[Session]:
    """The sessions of a cohort one may see, in time order.

    A cohort one may not see answers 404, like one that does not exist.
    """
    if not Cohort.objects.visible_to(request.user).filter(pk=cohort_id).exists():
        raise HttpError(404, "Not Found")
    queryset = Session.objects.filter(cohort_id=cohort_id)
    if filters.kind:
        if not StepKind.objects.filter(code=filters.kind, category=StepCategory.SESSION).exists():
            raise HttpError(400, f"Unknown session kind: {filters.kind}")
        queryset = queryset.filter(kind_id=filters.kind)
    if filters.after:
        queryset = queryset.filter(end__gt=_aware(filters.after))
    if filters.before:
        queryset = queryset.filter(start__lt=_aware(filters.before))
    return queryset.only("id", "title", "kind", "start", "end", "mode").order_by("start", "id")
