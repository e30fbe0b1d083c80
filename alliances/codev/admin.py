"""Co-development rounds in the back-office, with their board, plan and learnings inline."""

from django.contrib import admin

from .models import ActionItem, Learning, Note, Round


class NoteInline(admin.TabularInline):
    model = Note
    extra = 0
    fields = ["step", "position", "author", "text"]
    raw_id_fields = ["author"]


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 0
    fields = ["position", "title", "due", "done", "done_at"]


class LearningInline(admin.TabularInline):
    model = Learning
    extra = 0
    fields = ["user", "text"]
    raw_id_fields = ["user"]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["__str__", "position", "step_index", "started_at", "finished_at"]
    list_select_related = ["session", "client"]
    raw_id_fields = ["session", "client", "facilitator"]
    filter_horizontal = ["consultants"]
    readonly_fields = ["version", "created_at"]
    inlines = [NoteInline, ActionItemInline, LearningInline]
