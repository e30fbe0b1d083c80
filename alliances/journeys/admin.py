"""What the back-office shares with the parcours: edits there keep the cohort pages fresh.

The parcours itself is managed on the site (its pages call the services); this module
registers no model, it gives the other apps' ModelAdmins the mixin that bumps the cohort
pages' version (journeys.pagecache) when one of their objects shown on those pages changes.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Model, QuerySet

from .pagecache import cohort_pages_changed


class CohortPagesAdminMixin:
    """For a ModelAdmin whose objects show on the cohort space or the console.

    `cohort_lookup` leads from the model to its cohort's id ("cohort_id",
    "thread__cohort_id"). Saves, deletions and inline changes bump the cohorts of the
    object before and after the change, inside the admin's own transaction.
    """

    cohort_lookup = "cohort_id"

    def _cohort_ids(self, objects: QuerySet) -> set[int]:
        return {pk for pk in objects.values_list(self.cohort_lookup, flat=True) if pk is not None}

    def _cohort_ids_of(self, objs: Iterable[Model]) -> set[int]:
        pks = [obj.pk for obj in objs if obj.pk is not None]
        if not pks:
            return set()
        return self._cohort_ids(self.model._default_manager.filter(pk__in=pks))  # type: ignore[attr-defined]

    def save_model(self, request, obj, form, change) -> None:
        before = self._cohort_ids_of([obj]) if change else set()
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        cohort_pages_changed(*(before | self._cohort_ids_of([obj])))

    def delete_model(self, request, obj) -> None:
        cohort_ids = self._cohort_ids_of([obj])
        super().delete_model(request, obj)  # type: ignore[misc]
        cohort_pages_changed(*cohort_ids)

    def delete_queryset(self, request, queryset) -> None:
        # The changelist's actions, unlike the change and delete views, run outside a
        # transaction.
        with transaction.atomic():
            cohort_ids = self._cohort_ids(queryset)
            super().delete_queryset(request, queryset)  # type: ignore[misc]
            cohort_pages_changed(*cohort_ids)

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)  # type: ignore[misc]
        cohort_pages_changed(*self._cohort_ids_of([form.instance]))
