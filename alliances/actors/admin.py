"""Registry imports and possible duplicates in the back-office: read-only (imports are made
by the commands, proposals decided on /acteurs/doublons/, where merging re-points
everything)."""

from django.contrib import admin
from django.http import HttpRequest

from .models import DuplicateProposal, RegistryImport


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(RegistryImport)
class RegistryImportAdmin(ReadOnly):
    list_display = ("source", "file_name", "status", "lines_done", "created", "updated",
                    "merged", "skipped", "proposals", "started_at", "finished_at")
    list_filter = ("source", "status")


@admin.register(DuplicateProposal)
class DuplicateProposalAdmin(ReadOnly):
    list_display = ("kept", "candidate", "score", "status", "decided_by", "decided_at")
    list_filter = ("status",)
    list_select_related = ("kept", "candidate", "decided_by")
    raw_id_fields = ("kept", "candidate")
