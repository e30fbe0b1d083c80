"""The maturity grids as open data: GET /api/v1/diagnostics/grids.

Each grid with its published versions (newest first), their levels, and their axes →
criteria → level descriptions. Drafts are not shown. Six queries whatever the grids' size.
"""

import datetime

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from .models import Axis, Criterion, CriterionLevel, Grid, GridVersion, GridVersionStatus, Level

router = Router(tags=["bilans"])


class LevelOut(Schema):
    rank: int = Field(description="1 = the lowest level")
    name: str
    description: str


class CriterionLevelOut(Schema):
    rank: int
    description: str = Field(description="what this level looks like for the criterion")


class CriterionOut(Schema):
    code: str = Field(description="stable across versions: bilans compare by it")
    name: str
    question: str = Field(description="the guiding question")
    levels: list[CriterionLevelOut]

    @staticmethod
    def resolve_question(obj: Criterion) -> str:
        return obj.description


class AxisOut(Schema):
    code: str
    name: str
    description: str
    criteria: list[CriterionOut]


class VersionOut(Schema):
    number: int
    published_at: datetime.datetime
    note: str
    levels: list[LevelOut]
    axes: list[AxisOut]


class GridOut(Schema):
    slug: str
    name: str
    description: str
    is_default: bool
    versions: list[VersionOut] = Field(description="published versions, newest first")


class GridFilters(Schema):
    slug: str | None = Field(None, pattern=r"^[-a-zA-Z0-9_]{1,100}$")


def grids_with_published_versions() -> QuerySet[Grid]:
    criteria = Criterion.objects.order_by("position").prefetch_related(
        Prefetch("levels", queryset=CriterionLevel.objects.order_by("rank"))
    )
    axes = Axis.objects.order_by("position").prefetch_related(
        Prefetch("criteria", queryset=criteria)
    )
    versions = (
        GridVersion.objects.filter(status=GridVersionStatus.PUBLISHED)
        .order_by("-number")
        .prefetch_related(
            Prefetch("levels", queryset=Level.objects.order_by("rank")),
            Prefetch("axes", queryset=axes),
        )
    )
    return Grid.objects.order_by("name", "pk").prefetch_related(
        Prefetch("versions", queryset=versions)
    )


@router.get("/grids", response=list[GridOut])
def grids(request: HttpRequest, filters: Query[GridFilters]) -> list[Grid]:
    """The maturity grids with their published versions' levels, axes and criteria."""
    queryset = grids_with_published_versions()
    if filters.slug:
        queryset = queryset.filter(slug=filters.slug)
    return list(queryset)
