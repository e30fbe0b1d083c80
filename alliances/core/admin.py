"""The audit log in the Django admin: read-only, for the platform's administrators."""

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Nobody adds, changes or deletes a line by hand: the log is written by the services
    and emptied only by its retention (AUDIT_RETENTION_DAYS)."""

    list_display = ("created_at", "action", "actor_label", "target_label", "ip")
    list_filter = ("action", "target_type")
    search_fields = ("actor_label", "target_label", "target_id")
    date_hierarchy = "created_at"
    list_select_related = ("target_type",)
    readonly_fields = ("created_at", "actor", "actor_label", "action", "target_type",
                       "target_id", "target_label", "changes", "ip")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser
