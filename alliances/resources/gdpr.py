"""The resource centre's part of a person's data export (see accounts.gdpr): the resources
they proposed, their edits, their review comments and their collections.

On erasure: a draft never submitted is the person's alone and goes, with its files. What
has been submitted or published is shared work under an open licence: it stays, credited
to the deleted account (no name), as do their edits and review comments on others'
resources.
"""

from typing import Any

from django.db import transaction

from .models import Collection, Resource, ResourceEvent, ResourceStatus, ResourceVersion


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def gdpr_export(user) -> dict[str, Any]:
    return {
        "resources_proposed": [
            {
                "id": resource.pk,
                "title": resource.title,
                "kind": resource.kind,
                "status": resource.status,
                "summary": resource.summary,
                "body": resource.body,
                "files": [file.name for file in resource.files.all()],
                "created_at": _iso(resource.created_at),
                "published_at": _iso(resource.published_at),
            }
            for resource in Resource.objects.filter(contributor=user)
            .prefetch_related("files").order_by("created_at", "pk")
        ],
        "edits": [
            {"resource": version.resource.title, "version": version.number,
             "note": version.note, "at": _iso(version.created_at)}
            for version in ResourceVersion.objects.filter(author=user)
            .select_related("resource").order_by("created_at", "pk")
        ],
        "review_events": [
            {"resource": event.resource.title, "kind": event.kind, "comment": event.body,
             "at": _iso(event.created_at)}
            for event in ResourceEvent.objects.filter(author=user)
            .select_related("resource").order_by("created_at", "pk")
        ],
        "collections": [
            {"title": collection.title, "description": collection.description}
            for collection in Collection.objects.filter(owner=user).order_by("pk")
        ],
    }


def gdpr_erase(user) -> None:
    drafts = Resource.objects.filter(contributor=user, status=ResourceStatus.DRAFT,
                                     submitted_at__isnull=True)
    files = [(file.file.storage, file.file.name)
             for resource in drafts.prefetch_related("files") for file in resource.files.all()]
    drafts.delete()
    for storage, name in files:  # once the deletion is committed: a rollback keeps them
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
