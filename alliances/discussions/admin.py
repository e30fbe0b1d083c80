"""Discussions in the back-office: read, lock, pin. Posts are neither written nor hidden
here: the HTML shown on the site is rendered and sanitised by the services only, and
hiding (with its reason) is done on the thread's page."""

from django.contrib import admin

from alliances.journeys.admin import CohortPagesAdminMixin

from .models import Attachment, Post, Thread


class PostInline(admin.TabularInline):
    model = Post
    extra = 0
    can_delete = False
    fields = ["author", "created_at", "body", "hidden_at", "hidden_reason"]
    readonly_fields = ["author", "created_at", "body", "hidden_at", "hidden_reason"]
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Thread)
class ThreadAdmin(CohortPagesAdminMixin, admin.ModelAdmin):
    list_display = ["title", "cohort", "pilot_territory", "last_post_at", "pinned", "locked"]
    list_filter = ["pinned", "locked"]
    list_select_related = ["cohort", "pilot_territory"]
    search_fields = ["title"]
    fields = [
        "cohort",
        "pilot_territory",
        "title",
        "author",
        "created_at",
        "last_post_at",
        "pinned",
        "locked",
    ]
    readonly_fields = ["cohort", "pilot_territory", "author", "created_at", "last_post_at"]
    inlines = [PostInline]

    def has_add_permission(self, request) -> bool:
        return False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    can_delete = False
    fields = ["name", "size"]
    readonly_fields = ["name", "size"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Post)
class PostAdmin(CohortPagesAdminMixin, admin.ModelAdmin):
    cohort_lookup = "thread__cohort_id"  # deleting a post changes the panel's counts
    list_display = ["__str__", "author", "created_at", "hidden_at"]
    list_select_related = ["thread", "author"]
    fields = [
        "thread",
        "author",
        "created_at",
        "edited_at",
        "body",
        "hidden_at",
        "hidden_by",
        "hidden_reason",
    ]
    readonly_fields = [
        "thread",
        "author",
        "created_at",
        "edited_at",
        "body",
        "hidden_at",
        "hidden_by",
        "hidden_reason",
    ]
    inlines = [AttachmentInline]

    def has_add_permission(self, request) -> bool:
        return False
