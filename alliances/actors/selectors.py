"""Reads on actors: the filtered, paginated directory shared by actor and territory pages."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext_lazy as _

from .forms import DirectoryFilterForm
from .models import Fragility, Membership, Organisation, OrganisationQuerySet

PER_PAGE = 25


def organisation_filter(
    queryset: OrganisationQuerySet,
    *,
    q: str = "",
    type: str = "",
    fragility: Fragility | str | None = None,
) -> OrganisationQuerySet:
    """Narrow a list; territory and type use the indexed denormalised columns."""
    if type:
        queryset = queryset.filter(type=type)
    if fragility:
        queryset = queryset.filter(fragilities=fragility)
    return queryset.search(q)


def organisation_list(queryset: OrganisationQuerySet) -> OrganisationQuerySet:
    return queryset.for_list().prefetch_related(
        Prefetch("fragilities", queryset=Fragility.objects.only("code", "name", "position"))
    )


def organisation_detail(pk: int) -> Organisation | None:
    return (
        Organisation.objects.select_related("commune__departement__region")
        .prefetch_related("fragilities", "sectors")
        .filter(pk=pk)
        .first()
    )


def organisation_members(organisation: Organisation) -> list[Membership]:
    return list(organisation.memberships.select_related("user").order_by("user__email"))


@dataclass
class Directory:
    """One page of a filtered list (organisations, alliances, needs), with the notices of
    the filters and page number that were ignored."""

    form: forms.Form
    page: Page
    notices: list[str] = field(default_factory=list)

    @property
    def page_range(self) -> list[int | str]:
        return list(
            self.page.paginator.get_elided_page_range(self.page.number, on_each_side=2, on_ends=1)
        )


def filtered_directory(
    form, items_for: Callable[[dict[str, Any]], Any], params: QueryDict, per_page: int
) -> Directory:
    """Apply a filter form's valid values through `items_for(values)` and paginate; bad
    values and page numbers become notices instead of errors."""
    values = form.valid_values()
    notices = [
        _("The filter “%(label)s” was ignored: %(error)s")
        % {"label": form.fields[name].label, "error": " ".join(errors)}
        for name, errors in form.errors.items()
    ]
    paginator = Paginator(items_for(values), per_page)
    try:
        page = paginator.page(params.get("page", 1))
    except PageNotAnInteger:
        notices.append(_("The page number is not valid: here is the first page."))
        page = paginator.page(1)
    except EmptyPage:
        notices.append(_("This page does not exist: here is the last page."))
        page = paginator.page(paginator.num_pages)
    return Directory(form=form, page=page, notices=notices)


def directory(queryset: OrganisationQuerySet, params: QueryDict) -> Directory:
    """Apply the GET filters to a list of organisations; bad values become notices."""
    return filtered_directory(
        DirectoryFilterForm(params),
        lambda values: organisation_list(organisation_filter(queryset, **values)),
        params, PER_PAGE,
    )


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request for the results only (a history restore wants the whole page)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )
