"""Needs and contact requests in the back-office, for platform admins: needs are edited
there like on the site; a contact request's parties, message and answer are read-only (they
are written only through the services, which notify the other side)."""

from django.contrib import admin

from .models import ContactRequest, Need


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "kind", "fragility", "status", "created_at"]
    list_filter = ["status", "kind", "fragility"]
    search_fields = ["title", "organisation__name"]
    raw_id_fields = ["organisation", "created_by"]
    list_select_related = ["organisation", "fragility"]
    date_hierarchy = "created_at"


@admin.register(ContactRequest)
class ContactRequestAdmin(admin.ModelAdmin):
    list_display = ["need", "sender", "recipient", "status", "created_at", "answered_at"]
    list_filter = ["status"]
    search_fields = ["need__title", "sender__name", "recipient__name"]
    list_select_related = ["need", "sender", "recipient"]
    readonly_fields = [
        "need", "sender", "recipient", "sent_by", "message", "status", "reply", "answered_by",
        "answered_at", "created_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False
