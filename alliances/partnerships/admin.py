"""Alliances in the back-office, for platform admins: an alliance with its partners inline
(the admin may fix a typo or a role; the site's form checks the rules), the follow-up notes
and measures, and the national benchmarks of partners that the who-works-with-whom matrix
reads."""

from django.contrib import admin

from .models import Alliance, FollowUpNote, IndicatorValue, Partner, PartnerBenchmark


class PartnerInline(admin.TabularInline):
    model = Partner
    extra = 0
    min_num = 2
    raw_id_fields = ["organisation"]


@admin.register(Alliance)
class AllianceAdmin(admin.ModelAdmin):
    list_display = ["title", "type", "form", "status", "departement", "start_date", "is_public"]
    list_filter = ["type", "form", "status", "is_public", "region"]
    search_fields = ["title", "partners__organisation__name"]
    raw_id_fields = ["commune", "departement", "created_by"]
    filter_horizontal = ["fragilities", "resources", "actions"]
    readonly_fields = ["region", "created_at", "updated_at"]
    list_select_related = ["departement"]
    date_hierarchy = "start_date"
    inlines = [PartnerInline]


@admin.register(FollowUpNote)
class FollowUpNoteAdmin(admin.ModelAdmin):
    list_display = ["alliance", "date", "author", "created_at"]
    search_fields = ["alliance__title", "text"]
    raw_id_fields = ["alliance", "author"]
    list_select_related = ["alliance", "author"]
    date_hierarchy = "date"


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["alliance", "kind", "label", "date", "value"]
    list_filter = ["kind"]
    search_fields = ["alliance__title", "label"]
    raw_id_fields = ["alliance", "author"]
    list_select_related = ["alliance"]


@admin.register(PartnerBenchmark)
class PartnerBenchmarkAdmin(admin.ModelAdmin):
    list_display = ["survey", "question_code", "option_code", "from_type", "to_type"]
    list_filter = ["from_type", "to_type"]
    list_select_related = ["survey"]
