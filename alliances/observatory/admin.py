"""The observatory in the back-office, for platform admins only (analysts work in the
console, /observatoire/console/).

What the admin may change is what no statistic depends on: a survey's description and
owner, a wave's label, dates and minimum cell size, the bank's wording of a question and of
its options, an invitation's follow-up label. What the figures depend on is read-only here
and changed only through the services, which keep the data set's version and the raking in
step: a wave's status (the console's buttons check the transitions), its questions (they
come from its XLSForm), option and question codes (shared by every wave that asks them),
imported batches (their progress and errors are shown, never their packed columns) and web
responses.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import (
    Invitation,
    Option,
    Question,
    ResponseBatch,
    Survey,
    Wave,
    WaveQuestion,
    WebResponse,
)


class AdminOnly:
    """Only platform admins, whatever model permissions a staff account was given."""

    def _admin(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_active and getattr(user, "is_platform_admin", False))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._admin(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._admin(request)


class ReadOnly(AdminOnly):
    """Shown to admins, changed only through the services."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# -- surveys and waves ----------------------------------------------------------------------


class WaveInline(ReadOnly, admin.TabularInline):
    model = Wave
    fields = readonly_fields = ("label", "status", "field_start", "field_end", "published_at")
    extra = 0
    show_change_link = True


@admin.register(Survey)
class SurveyAdmin(AdminOnly, admin.ModelAdmin):
    list_display = ["title", "slug", "population", "scope", "territory_name", "owner"]
    list_filter = ["population", "scope"]
    search_fields = ["title", "slug"]
    list_select_related = ["owner", "region", "departement"]
    raw_id_fields = ["owner"]
    inlines = [WaveInline]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # the console creates surveys, with their checks

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The slug is in addresses already shared; the scope and territory say whose
        # figures they are.
        return ["slug", "population", "scope", "region", "departement", "created_at"]

    @admin.display(description=_("territory"))
    def territory_name(self, obj: Survey) -> str:
        return str(obj.territory or "")


class WaveQuestionInline(ReadOnly, admin.TabularInline):
    model = WaveQuestion
    fields = readonly_fields = ("position", "question", "label", "option_codes",
                                "is_attribute", "group", "required")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("question")


@admin.register(Wave)
class WaveAdmin(AdminOnly, admin.ModelAdmin):
    list_display = ["__str__", "status", "field_start", "field_end", "published_at"]
    list_filter = ["status", "survey__population"]
    search_fields = ["label", "survey__title", "survey__slug"]
    list_select_related = ["survey"]
    fields = ["survey", "label", "status", "field_start", "field_end", "min_n", "open_link",
              "xlsform", "margins", "rake_report", "data_version", "created_by", "created_at",
              "published_at"]
    readonly_fields = ["survey", "status", "open_link", "xlsform", "margins", "rake_report",
                       "data_version", "created_by", "created_at", "published_at"]
    inlines = [WaveQuestionInline]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # a wave comes from an XLSForm: the console or create-wave


# -- the question bank ----------------------------------------------------------------------


class OptionInline(AdminOnly, admin.TabularInline):
    model = Option
    fields = ["code", "label"]
    extra = 0

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # An option's code is in every imported file and answer that chose it.
        return ["code"] if obj is not None and obj.asked.exists() else []

    # Once a wave asks the question, its options are in files and answers: no option is
    # added (the next XLSForm brings new ones) nor removed.
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._admin(request) and (obj is None or not obj.asked.exists())

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._admin(request) and (obj is None or not obj.asked.exists())


@admin.register(Question)
class QuestionAdmin(AdminOnly, admin.ModelAdmin):
    list_display = ["code", "kind", "short_label", "wave_count"]
    list_filter = ["kind"]
    search_fields = ["code", "label"]
    inlines = [OptionInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        from django.db.models import Count

        return super().get_queryset(request).annotate(waves=Count("asked"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A code and its kind are what makes waves compare: fixed once the code exists.
        return ["code", "kind", "created_at"] if obj is not None else ["created_at"]

    @admin.display(description=_("label"))
    def short_label(self, obj: Question) -> str:
        return obj.label if len(obj.label) <= 80 else obj.label[:79] + "…"

    @admin.display(description=_("waves"), ordering="waves")
    def wave_count(self, obj: Question) -> int:
        return obj.waves  # type: ignore[attr-defined]


# -- responses ------------------------------------------------------------------------------


@admin.register(ResponseBatch)
class ResponseBatchAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["filename", "wave", "status", "rows_total", "rows_imported",
                    "rows_rejected", "created_at"]
    list_filter = ["status"]
    search_fields = ["filename", "wave__label", "wave__survey__title"]
    list_select_related = ["wave__survey"]
    # `data` (the packed columns, megabytes) is never loaded nor shown.
    fields = readonly_fields = (
        "wave", "filename", "source", "weight_column", "skip_bad_rows", "status", "rows_total",
        "rows_done", "rows_imported", "rows_rejected", "error_list", "rejected_file",
        "created_by", "created_at", "finished_at",
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).defer("data")

    @admin.display(description=_("errors"))
    def error_list(self, obj: ResponseBatch) -> str:
        errors = obj.errors or []
        if not errors:
            return "—"
        lines = [f"{e.get('line', '')}\t{e.get('column', '')}\t{e.get('message', '')}"
                 for e in errors[:100]]
        more = len(errors) - 100
        if more > 0:
            lines.append(f"… +{more}")
        return format_html('<pre class="readonly">{}</pre>', "\n".join(lines))


@admin.register(Invitation)
class InvitationAdmin(AdminOnly, admin.ModelAdmin):
    list_display = ["__str__", "wave", "created_at", "answered"]
    search_fields = ["label", "wave__label", "wave__survey__title"]
    list_select_related = ["wave__survey", "response"]
    fields = ["wave", "label", "created_at"]
    readonly_fields = ["wave", "created_at"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # the console creates invitations in bulk, with their links

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deleting one would delete its response, changing the figures

    @admin.display(description=_("answered"), boolean=True)
    def answered(self, obj: Invitation) -> bool:
        response = getattr(obj, "response", None)
        return response is not None and response.status == WebResponse.Status.SUBMITTED


@admin.register(WebResponse)
class WebResponseAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["__str__", "wave", "status", "started_at", "submitted_at"]
    list_filter = ["status"]
    list_select_related = ["wave__survey"]
    fields = readonly_fields = ("wave", "invitation", "status", "answers_text", "started_at",
                                "updated_at", "submitted_at")

    @admin.display(description=_("answers"))
    def answers_text(self, obj: WebResponse) -> str:
        text = json.dumps(obj.answers, ensure_ascii=False, indent=2, sort_keys=True)
        return format_html('<pre class="readonly">{}</pre>', text)
