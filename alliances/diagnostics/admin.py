"""The maturity grids in the back-office; plans, bilans and their parts to look at.

A draft version is edited on one page: its levels, axes and criteria, each criterion with
its level descriptions in the same form. A published version is frozen (bilans refer to
it): it shows read-only, and changing the grid means a new draft version (an action),
then publishing it (another). Versions export as JSON or XLSX; files import through the
grid import page (grid_views), which the grid list links to.

Plans, bilans, cibles and trajectoires belong to their teams and are changed on the site,
through their parts' services: here they are listed, filtered, searched and looked at.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .grids import (
    grid_version_draft,
    grid_version_ensure_draft,
    grid_version_json,
    grid_version_publish,
    grid_version_xlsx,
)
from .models import (
    Action,
    Axis,
    Bilan,
    Criterion,
    CriterionLevel,
    Entry,
    Grid,
    GridVersion,
    GridVersionStatus,
    Level,
    Milestone,
    Plan,
    Target,
)


def _is_draft(obj: GridVersion | None) -> bool:
    return obj is None or not obj.is_published


# -- grids ------------------------------------------------------------------------------


class VersionInline(admin.TabularInline):
    model = GridVersion
    extra = 0
    fields = ["number", "status", "published_at", "note"]
    readonly_fields = ["number", "status", "published_at", "note"]
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _new_drafts(modeladmin: admin.ModelAdmin, request: HttpRequest, grids: list[Grid]) -> None:
    for grid in grids:
        try:
            version = grid_version_draft(grid=grid)
        except ValidationError as error:
            modeladmin.message_user(request, " ".join(error.messages), messages.ERROR)
            continue
        url = reverse("admin:diagnostics_gridversion_change", args=[version.pk])
        modeladmin.message_user(
            request,
            format_html(
                gettext('Draft version {number} of “{grid}” made: <a href="{url}">edit it</a>.'),
                number=version.number,
                grid=grid.name,
                url=url,
            ),
            messages.SUCCESS,
        )


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_default", "version_count"]
    list_filter = ["is_default"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [VersionInline]
    actions = ["new_draft"]
    change_list_template = "diagnostics/grid_admin_change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Grid]:
        return super().get_queryset(request).annotate(version_count=Count("versions"))

    @admin.display(description=_("versions"), ordering="version_count")
    def version_count(self, obj: Grid) -> int:
        return obj.version_count  # type: ignore[attr-defined]

    @admin.action(description=_("Make a new draft version"), permissions=["change"])
    def new_draft(self, request: HttpRequest, queryset: QuerySet[Grid]) -> None:
        _new_drafts(self, request, list(queryset))


# -- a version, edited on one page ------------------------------------------------------


class _DraftOnlyInline:
    """Inlines of a version: editable while it is a draft, read-only once published."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and super().has_add_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class LevelInline(_DraftOnlyInline, admin.TabularInline):
    model = Level
    extra = 0
    fields = ["rank", "name", "description"]


class AxisInline(_DraftOnlyInline, admin.TabularInline):
    model = Axis
    extra = 0
    fields = ["position", "code", "name", "description"]


class CriterionForm(forms.ModelForm):
    """A criterion; CriterionInline adds one text per level of its version (`level_1`…)."""

    version: GridVersion | None = None
    levels: list[Level] = []
    axis_choices: list[tuple[Any, str]] = []

    class Meta:
        model = Criterion
        fields = ["axis", "position", "code", "name", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.version is not None and "axis" in self.fields:
            axis = self.fields["axis"]
            axis.queryset = Axis.objects.filter(version=self.version)  # type: ignore[attr-defined]
            # Read once for the whole formset, not once per criterion.
            axis.choices = self.axis_choices  # type: ignore[attr-defined]
        if self.instance.pk:
            existing = {lv.rank: lv.description for lv in self.instance.levels.all()}
            for level in self.levels:
                self.initial[f"level_{level.rank}"] = existing.get(level.rank, "")

    def clean_axis(self) -> Axis:
        axis = self.cleaned_data["axis"]
        if self.version is not None and axis.version_id != self.version.pk:
            raise ValidationError(gettext("Choose an axis of this version."))
        return axis

    def save(self, commit: bool = True) -> Criterion:
        criterion = super().save(commit=commit)
        if commit:
            for level in self.levels:
                CriterionLevel.objects.update_or_create(
                    criterion=criterion,
                    rank=level.rank,
                    defaults={"description": self.cleaned_data[f"level_{level.rank}"].strip()},
                )
        return criterion


def criterion_form_for(version: GridVersion) -> type[CriterionForm]:
    """The criterion form of a draft version: a text field per level of the version."""
    levels = list(version.levels.order_by("rank"))
    axes = Axis.objects.filter(version=version).order_by("position")
    attrs: dict[str, Any] = {
        "version": version,
        "levels": levels,
        "axis_choices": [("", "---------"), *((axis.pk, str(axis)) for axis in axes)],
    }
    for level in levels:
        attrs[f"level_{level.rank}"] = forms.CharField(
            label=f"{level.rank}. {level.name}",
            widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        )
    return type("VersionCriterionForm", (CriterionForm,), attrs)


class CriterionInline(_DraftOnlyInline, admin.StackedInline):
    model = Criterion
    form = CriterionForm
    fk_name = "version"
    extra = 0
    ordering = ["axis__position", "position"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Criterion]:
        return (
            super()
            .get_queryset(request)
            .select_related("axis")
            .prefetch_related(Prefetch("levels", queryset=CriterionLevel.objects.order_by("rank")))
        )

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any):
        if obj is not None and not obj.is_published:
            kwargs["form"] = criterion_form_for(obj)
        return super().get_formset(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        fields = ["axis", "position", "code", "name", "description"]
        if obj is not None and obj.is_published:
            return [*fields, "level_texts"]
        return fields + [f"level_{lv.rank}" for lv in (obj.levels.all() if obj else [])]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["level_texts"] if obj is not None and obj.is_published else []

    @admin.display(description=_("level descriptions"))
    def level_texts(self, obj: Criterion) -> str:
        items = format_html_join("", "<li>{}</li>", ((lv.description,) for lv in obj.levels.all()))
        return format_html("<ol>{}</ol>", items)


@admin.register(GridVersion)
class GridVersionAdmin(admin.ModelAdmin):
    list_display = ["grid", "number", "status", "published_at", "criterion_count"]
    list_filter = ["status", "grid"]
    search_fields = ["grid__name", "grid__slug", "note"]
    list_select_related = ["grid"]
    fields = ["grid", "number", "status", "published_at", "page", "note"]
    readonly_fields = ["grid", "number", "status", "published_at", "page"]
    inlines = [LevelInline, AxisInline, CriterionInline]
    actions = ["publish", "new_draft", "export_json", "export_xlsx"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[GridVersion]:
        return super().get_queryset(request).annotate(criterion_count=Count("criteria"))

    @admin.display(description=_("criteria"), ordering="criterion_count")
    def criterion_count(self, obj: GridVersion) -> int:
        return obj.criterion_count  # type: ignore[attr-defined]

    @admin.display(description=_("on the site"))
    def page(self, obj: GridVersion) -> str:
        url = reverse("diagnostics:grid_detail", args=[obj.grid.slug])
        return format_html(
            '<a href="{}?version={}">{}</a>',
            url,
            obj.number,
            gettext("See this version as the teams will (a draft: admins only)")
            if not obj.is_published
            else gettext("See this version on the site"),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a version is made by "new draft version" or by an import

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        grid_version_ensure_draft(GridVersion.objects.get(pk=obj.pk))  # frozen stays frozen
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        # A level removed from the version takes its descriptions along, or the version
        # could never be published again.
        version = form.instance
        CriterionLevel.objects.filter(criterion__version=version).exclude(
            rank__in=version.levels.values("rank")
        ).delete()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[GridVersion]) -> None:
        with transaction.atomic():
            published = queryset.filter(status=GridVersionStatus.PUBLISHED)
            if published.exists():
                self.message_user(
                    request,
                    gettext("Published versions are never deleted: bilans refer to them."),
                    messages.ERROR,
                )
                queryset = queryset.exclude(pk__in=published)
            super().delete_queryset(request, queryset)

    @admin.action(description=_("Publish the selected draft versions"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[GridVersion]) -> None:
        for version in queryset.select_related("grid"):
            try:
                grid_version_publish(version=version)
            except ValidationError as error:
                self.message_user(
                    request,
                    gettext("“%(version)s” was not published: %(problems)s")
                    % {"version": version, "problems": " ".join(error.messages)},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    gettext("“%(version)s” is published.") % {"version": version},
                    messages.SUCCESS,
                )

    @admin.action(description=_("Make a new draft version of their grid"))
    def new_draft(self, request: HttpRequest, queryset: QuerySet[GridVersion]) -> None:
        grid_ids = set(queryset.values_list("grid_id", flat=True))
        _new_drafts(self, request, list(Grid.objects.filter(pk__in=grid_ids)))

    def _one(self, request: HttpRequest, queryset: QuerySet[GridVersion]) -> GridVersion | None:
        versions = list(queryset.select_related("grid")[:2])
        if len(versions) != 1:
            self.message_user(
                request, gettext("Choose exactly one version to export."), messages.ERROR
            )
            return None
        return versions[0]

    def _file(self, version: GridVersion, content: bytes, extension: str, kind: str):
        response = HttpResponse(content, content_type=kind)
        name = f"{version.grid.slug}-v{version.number}.{extension}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @admin.action(description=_("Export as JSON"), permissions=["view"])
    def export_json(self, request: HttpRequest, queryset: QuerySet[GridVersion]):
        version = self._one(request, queryset)
        if version is None:
            return None
        return self._file(version, grid_version_json(version), "json", "application/json")

    @admin.action(description=_("Export as XLSX"), permissions=["view"])
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet[GridVersion]):
        version = self._one(request, queryset)
        if version is None:
            return None
        return self._file(
            version,
            grid_version_xlsx(version),
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


# -- plans and what they hold: to look at -----------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    """Listed and looked at here; changed on the site through their parts' services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EntryInline(admin.TabularInline):
    model = Entry
    extra = 0
    fields = ["criterion", "level", "evidence", "revision", "updated_by", "updated_at"]
    readonly_fields = ["criterion", "level", "evidence", "revision", "updated_by", "updated_at"]
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Entry]:
        return super().get_queryset(request).select_related("criterion", "updated_by")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["name", "pilot_territory", "owner", "grid", "visibility", "created_at"]
    list_filter = ["visibility", "grid", "pilot_territory__cohort"]
    search_fields = ["name", "pilot_territory__name", "owner__email", "owner__display_name"]
    list_select_related = ["pilot_territory", "owner", "grid"]
    date_hierarchy = "created_at"


@admin.register(Bilan)
class BilanAdmin(ReadOnlyAdmin):
    list_display = ["plan", "moment", "date", "status", "grid_version", "validated_at"]
    list_filter = ["status", "moment", "grid_version__grid"]
    search_fields = ["plan__name", "plan__pilot_territory__name"]
    list_select_related = ["plan", "grid_version__grid"]
    date_hierarchy = "date"
    inlines = [EntryInline]


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ["plan", "criterion", "horizon", "level", "updated_at"]
    list_filter = ["horizon", "level"]
    search_fields = ["plan__name", "criterion__name", "criterion__code"]
    list_select_related = ["plan", "criterion"]


@admin.register(Action)
class ActionAdmin(ReadOnlyAdmin):
    list_display = ["title", "plan", "owner", "start", "due", "status"]
    list_filter = ["status"]
    search_fields = ["title", "description", "plan__name"]
    list_select_related = ["plan", "owner"]
    date_hierarchy = "start"


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = ["title", "plan", "date", "done"]
    list_filter = ["done"]
    search_fields = ["title", "plan__name"]
    list_select_related = ["plan"]
    date_hierarchy = "date"
