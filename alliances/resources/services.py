"""Writes of the resource centre. Every write that changes a published resource updates
the search index in the same transaction (no signals): the index never shows a resource
that is not published, nor misses one that is.

Edits go through `resource_update`, which records a ResourceVersion when something that
people edit changed. The review workflow's transitions are below it.
"""

import datetime
from collections.abc import Iterable, Sequence
from typing import Any, BinaryIO, cast

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from alliances.accounts.models import User
from alliances.core import audit
from alliances.core.models import AuditAction
from alliances.core.vocabularies import tag_families
from alliances.lib.richtext import render_markdown
from alliances.lib.text import fold
from alliances.notifications.models import NotificationKind
from alliances.notifications.services import notify
from alliances.resources import search

from .models import (
    Licence,
    Resource,
    ResourceEvent,
    ResourceEventKind,
    ResourceFile,
    ResourceKind,
    ResourceLink,
    ResourceStatus,
    ResourceTag,
    ResourceVersion,
)

# Fields a version snapshots, besides the relations.
EDITABLE_FIELDS = (
    "kind", "title", "summary", "body", "authors", "issued_on", "licence", "region_id",
    "departement_id",
)
RELATIONS = ("tags", "nodes", "steps", "organisations", "links")

# -- tags ---------------------------------------------------------------------------------


def tags_parse(values: Iterable[str], *, families: dict[str, dict[str, str]] | None = None
               ) -> list[tuple[str, str]]:
    """Read tags written `family:code` (`fragilite:emploi`), a bare code when only one
    family has it (`mecenat`), or a label (`Mécénat`, accents and case ignored). Raises a
    ValidationError naming every tag it cannot read."""
    if families is None:
        families = tag_families()
        with translation.override("en"):
            labels = [tag_families()]
        with translation.override("fr"):
            labels.append(tag_families())
    else:
        labels = [families]
    by_code: dict[str, set[tuple[str, str]]] = {}
    for vocabulary in [families, *labels]:
        for family, codes in vocabulary.items():
            for code, label in codes.items():
                for key in (code, fold(label)):
                    by_code.setdefault(key, set()).add((str(family), code))
    tags: list[tuple[str, str]] = []
    errors: list[str] = []
    for raw in values:
        value = raw.strip()
        if not value:
            continue
        family, sep, code = value.partition(":")
        if sep:
            family, code = family.strip(), code.strip()
            found = [t for t in by_code.get(code, set()) | by_code.get(fold(code), set())
                     if t[0] == family]
            if found:
                tags.append(found[0])
            else:
                errors.append(_("unknown tag “%(tag)s”") % {"tag": value})
            continue
        matches = sorted(by_code.get(value, set()) | by_code.get(fold(value), set()))
        if len(matches) == 1:
            tags.append(matches[0])
        elif matches:
            errors.append(
                _("ambiguous tag “%(tag)s”: write one of %(choices)s")
                % {"tag": value, "choices": ", ".join(f"{f}:{c}" for f, c in matches)}
            )
        else:
            errors.append(_("unknown tag “%(tag)s”") % {"tag": value})
    if errors:
        raise ValidationError(errors)
    return list(dict.fromkeys(tags))


# -- search index -------------------------------------------------------------------------


def resource_document(resource: Resource) -> search.Document:
    """What the index holds of a resource: its text (markdown rendered then stripped, the
    authors and organisations, the text of its PDFs) and its facets."""
    organisations = " ".join(o.name for o in resource.organisations.all())
    files_text = " ".join(f.text for f in resource.files.all() if f.text)
    body = " ".join(
        part for part in (
            strip_tags(render_markdown(resource.body)), resource.authors, organisations,
            files_text,
        ) if part
    )
    year = resource.issued_on or (resource.published_at and resource.published_at.date())
    facets: dict[str, list[str]] = {
        "kind": [resource.kind],
        "tag": [f"{t.family}:{t.code}" for t in resource.tags.all()],
    }
    if resource.region_id:
        facets["territoire"] = [resource.region_id]
    if year:
        facets["annee"] = [str(year.year)]
    return search.Document(
        id=resource.pk, title=resource.title, summary=resource.summary, body=body,
        facets=facets,
    )


def resources_index(resources: Iterable[Resource]) -> None:
    """Put the published ones in the index and take the others out."""
    resources = list(resources)
    published = [r for r in resources if r.status == ResourceStatus.PUBLISHED]
    others = [r.pk for r in resources if r.status != ResourceStatus.PUBLISHED]
    if published:
        search.index_documents(resource_document(r) for r in published)
    if others:
        search.remove_documents(others)


def search_index_rebuild(*, batch_size: int = 1000) -> int:
    """Empty the index and index every published resource again; returns their number."""
    search.clear()
    total = 0
    queryset = Resource.objects.published().order_by("pk").prefetch_related(
        "tags", "organisations", "files"
    )
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last)[:batch_size])
        if not batch:
            return total
        search.index_documents(resource_document(r) for r in batch)
        total += len(batch)
        last = batch[-1].pk


# -- versions -----------------------------------------------------------------------------


def _snapshot(
    resource: Resource,
    *,
    tags: Iterable[tuple[str, str]],
    nodes: Iterable[int],
    steps: Iterable[int],
    organisations: Iterable[int],
    links: Iterable[tuple[str, str]],
    files: Iterable[str],
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in EDITABLE_FIELDS:
        value = getattr(resource, name)
        data[name] = value.isoformat() if isinstance(value, datetime.date) else value
    data["tags"] = sorted(f"{family}:{code}" for family, code in tags)
    data["nodes"] = sorted(nodes)
    data["steps"] = sorted(steps)
    data["organisations"] = sorted(organisations)
    data["links"] = [[url, title] for url, title in links]
    data["files"] = list(files)
    return data


def resource_snapshot(resource: Resource) -> dict[str, Any]:
    return _snapshot(
        resource,
        tags=resource.tags.values_list("family", "code"),
        nodes=resource.nodes.values_list("pk", flat=True),
        steps=resource.steps.values_list("pk", flat=True),
        organisations=resource.organisations.values_list("pk", flat=True),
        links=[(link.url, link.title) for link in resource.links.all()],
        files=[f.name for f in resource.files.all()],
    )


def _record_version(resource: Resource, *, by: User | None, note: str = "") -> bool:
    """A new version when the snapshot differs from the last one; True if recorded."""
    data = resource_snapshot(resource)
    last = resource.versions.order_by("-number").first()
    if last is not None and last.data == data:
        return False
    resource.version = (last.number if last else 0) + 1
    Resource.objects.filter(pk=resource.pk).update(version=resource.version)
    ResourceVersion.objects.create(
        resource=resource, number=resource.version, data=data, author=by, note=note[:300]
    )
    return True


# -- create and edit ----------------------------------------------------------------------


def _set_relations(
    resource: Resource,
    *,
    tags: Iterable[tuple[str, str]] | None,
    nodes: Iterable | None,
    steps: Iterable | None,
    organisations: Iterable | None,
    links: Sequence[tuple[str, str]] | None,
) -> None:
    if tags is not None:
        resource.tags.all().delete()
        ResourceTag.objects.bulk_create(
            ResourceTag(resource=resource, family=family, code=code)
            for family, code in dict.fromkeys(tags)
        )
    if nodes is not None:
        resource.nodes.set(nodes)
    if steps is not None:
        resource.steps.set(steps)
    if organisations is not None:
        resource.organisations.set(organisations)
    if links is not None:
        resource.links.all().delete()
        made = []
        for position, (url, title) in enumerate(links, start=1):
            link = ResourceLink(resource=resource, url=url, title=title, position=position)
            link.full_clean(exclude=["resource"])
            made.append(link)
        ResourceLink.objects.bulk_create(made)


def _clean(resource: Resource) -> None:
    departement = resource.departement if resource.departement_id else None
    if departement is not None and not resource.region_id:
        resource.region_id = departement.region_id
    elif departement is not None and departement.region_id != resource.region_id:
        raise ValidationError(
            {"departement": _("This département is not in the region chosen.")}
        )
    resource.full_clean(exclude=["contributor", "reviewer"])


@transaction.atomic
def resource_create(
    *,
    by: User | None,
    kind: str,
    title: str,
    summary: str = "",
    body: str = "",
    authors: str = "",
    issued_on: datetime.date | None = None,
    licence: str = Licence.CC_BY_SA,
    region=None,
    departement=None,
    tags: Iterable[tuple[str, str]] = (),
    nodes: Iterable = (),
    steps: Iterable = (),
    organisations: Iterable = (),
    links: Sequence[tuple[str, str]] = (),
    files: Iterable[File] = (),
    status: str = ResourceStatus.DRAFT,
    note: str = "",
    index: bool = True,
) -> Resource:
    """A new resource, proposed by `by` (its credited contributor), as a draft unless
    `status` says otherwise (imports bring published resources). Files must have been
    checked by the caller (`core.uploads.validate_upload`). `index=False` leaves the
    search index to the caller (a bulk import indexes its resources in batches with
    `resources_index`)."""
    if kind not in ResourceKind.values:
        raise ValidationError({"kind": _("Unknown kind of resource: %(kind)s") % {"kind": kind}})
    resource = Resource(
        kind=kind, title=title.strip(), summary=summary.strip(), body=body, authors=authors,
        issued_on=issued_on, licence=licence, region=region, departement=departement,
        status=status, contributor=by,
    )
    _clean(resource)
    if status == ResourceStatus.PUBLISHED:
        resource.published_at = timezone.now()
    # A new resource has no relations to replace and no version before it: everything is
    # inserted in bulk and its first version is taken from what was given (a bulk import
    # creates thousands; this keeps one resource at about six queries).
    resource.version = 1
    resource.save()
    tags = list(dict.fromkeys(tags))
    ResourceTag.objects.bulk_create(
        ResourceTag(resource=resource, family=family, code=code) for family, code in tags
    )
    related = {
        "nodes": sorted({getattr(n, "pk", n) for n in nodes}),
        "steps": sorted({getattr(n, "pk", n) for n in steps}),
        "organisations": sorted({getattr(n, "pk", n) for n in organisations}),
    }
    for name, ids in related.items():
        field = cast(models.ManyToManyField, Resource._meta.get_field(name))
        through = getattr(Resource, name).through
        source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        through.objects.bulk_create(through(**{source: resource.pk, target: i}) for i in ids)
    links = list(links)
    made = []
    for position, (url, title) in enumerate(links, start=1):
        link = ResourceLink(resource=resource, url=url, title=title, position=position)
        link.full_clean(exclude=["resource"])
        made.append(link)
    ResourceLink.objects.bulk_create(made)
    stored = [resource_file_add(resource=resource, upload=upload, record=False)
              for upload in files]
    ResourceVersion.objects.create(
        resource=resource, number=1, author=by, note=note[:300],
        data=_snapshot(resource, tags=tags, links=links, files=[f.name for f in stored],
                       **related),
    )
    if index:
        resources_index([resource])
    return resource


@transaction.atomic
def resource_update(
    *,
    resource: Resource,
    by: User | None,
    note: str = "",
    tags: Iterable[tuple[str, str]] | None = None,
    nodes: Iterable | None = None,
    steps: Iterable | None = None,
    organisations: Iterable | None = None,
    links: Sequence[tuple[str, str]] | None = None,
    files_add: Iterable[File] = (),
    files_remove: Iterable[ResourceFile] = (),
    expected_version: int | None = None,
    **fields: Any,
) -> Resource:
    """Change fields (any of EDITABLE_FIELDS, by name without `_id`: `region=`) and the
    relations given (None leaves one alone), add checked files and remove some of the
    resource's own; records one version if anything changed.

    `expected_version`: the version the editor's form was made from; if someone saved
    another since, nothing is written (a ValidationError, code "conflict")."""
    allowed = {name.removesuffix("_id") for name in EDITABLE_FIELDS}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if expected_version is not None and resource.version != expected_version:
        last = resource.versions.select_related("author").first()
        raise ValidationError(
            _("%(person)s saved version %(number)d while you were editing: your changes were "
              "not saved. Open the versions to see theirs, then edit again.")
            % {"person": (last.author if last and last.author else "—"),
               "number": resource.version},
            code="conflict",
        )
    for name, value in fields.items():
        setattr(resource, name, value.strip() if name in ("title", "summary") else value)
    _clean(resource)
    resource.save()
    _set_relations(resource, tags=tags, nodes=nodes, steps=steps,
                   organisations=organisations, links=links)
    for file in files_remove:
        if file.resource_id != resource.pk:
            raise ValueError("not a file of this resource")
        _file_delete(file)
    for upload in files_add:
        resource_file_add(resource=resource, upload=upload, record=False)
    _record_version(resource, by=by, note=note)
    resources_index([resource])
    return resource


def resource_file_add(*, resource: Resource, upload: File, record: bool = True,
                      by: User | None = None) -> ResourceFile:
    """Attach a checked file; a PDF's text goes to the index."""
    from alliances.lib.pdftext import extract_text

    name = (upload.name or "fichier").rsplit("/", 1)[-1]
    text = ""
    if name.lower().endswith(".pdf"):
        upload.seek(0)
        text = extract_text(cast(BinaryIO, upload))
        upload.seek(0)
    position = resource.files.count() + 1
    made = ResourceFile(resource=resource, name=name[:200], size=upload.size or 0,
                        position=position, text=text)
    made.file.save(name, upload, save=False)
    made.save()
    if record:
        with transaction.atomic():
            _record_version(resource, by=by)
            resources_index([resource])
    return made


def _file_delete(file: ResourceFile) -> None:
    stored, storage = file.file.name, file.file.storage
    file.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


@transaction.atomic
def resource_file_remove(*, file: ResourceFile, by: User | None) -> None:
    resource = file.resource
    _file_delete(file)
    _record_version(resource, by=by)
    resources_index([resource])


# -- the review workflow ------------------------------------------------------------------
#
# brouillon → soumise → en relecture → publiée, or back to brouillon with changes asked,
# or refusée with a reason; a published resource may be taken back to brouillon. Each
# transition locks the row, checks the state it starts from (a double click or a page
# left open meets a French error, not a second transition), writes a ResourceEvent and
# notifies the other side. Who may act is the views' business (rules.py).

COMMENT_MAX = 5000


def _locked(resource: Resource) -> Resource:
    return Resource.objects.select_for_update().get(pk=resource.pk)


def _expect(resource: Resource, *statuses: str) -> None:
    if resource.status in statuses:
        return
    messages = {
        ResourceStatus.DRAFT: _("This resource is a draft: it has not been submitted."),
        ResourceStatus.SUBMITTED: _("This resource has already been submitted for review."),
        ResourceStatus.IN_REVIEW: _("This resource is already under review."),
        ResourceStatus.PUBLISHED: _("This resource has already been published."),
        ResourceStatus.REFUSED: _("This resource has been refused."),
    }
    raise ValidationError(
        _("%(state)s Nothing was changed; the page shows its current state.")
        % {"state": messages[ResourceStatus(resource.status)]},
        code="state",
    )


def _text(value: str, *, field: str, required: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: required})
    if len(value) > COMMENT_MAX:
        raise ValidationError(
            {field: _("At most %(max)d characters (%(count)d written).")
             % {"max": COMMENT_MAX, "count": len(value)}}
        )
    return value


def _event(resource: Resource, kind: str, *, by: User | None, body: str = "") -> ResourceEvent:
    return ResourceEvent.objects.create(
        resource=resource, kind=kind, author=by, body=body, version=resource.version
    )


def reviewers() -> QuerySet[User]:
    """Who reviews: the platform's active animateurs and admins."""
    return User.objects.filter(
        Q(role__in=[User.Role.ANIMATEUR, User.Role.ADMIN]) | Q(is_superuser=True),
        is_active=True, deleted_at__isnull=True,
    )


def _review_url(resource: Resource) -> str:
    return reverse("resources:review", args=[resource.pk])


def _notify_reviewers(resource: Resource, *, by: User | None, title: str, kind: str) -> None:
    """The reviewer in charge if there is one still active, otherwise every reviewer."""
    people: Iterable[User] = reviewers()
    if resource.reviewer_id is not None:
        assigned = list(reviewers().filter(pk=resource.reviewer_id))
        if assigned:
            people = assigned
    notify(recipients=people, kind=kind, title=title, url=_review_url(resource), actor=by)


def _notify_contributor(resource: Resource, *, by: User | None, title: str, kind: str) -> None:
    if resource.contributor is not None:
        notify(recipients=[resource.contributor], kind=kind, title=title,
               url=_review_url(resource), actor=by)


@transaction.atomic
def resource_submit(*, resource: Resource, by: User, message: str = "") -> Resource:
    """The contributor sends their draft to the reviewers, with an optional word."""
    resource = _locked(resource)
    _expect(resource, ResourceStatus.DRAFT)
    message = _text(message, field="body")
    resource.status = ResourceStatus.SUBMITTED
    resource.submitted_at = timezone.now()
    resource.refusal_reason = ""
    resource.save(update_fields=["status", "submitted_at", "refusal_reason", "updated_at"])
    _event(resource, ResourceEventKind.SUBMITTED, by=by, body=message)
    _notify_reviewers(
        resource, by=by, kind=NotificationKind.RESOURCE_SUBMITTED,
        title=_("%(person)s submitted “%(title)s” for review")
        % {"person": by, "title": resource.title},
    )
    return resource


@transaction.atomic
def resource_review_start(*, resource: Resource, by: User) -> Resource:
    """A reviewer takes a submitted resource: it is theirs to review."""
    resource = _locked(resource)
    _expect(resource, ResourceStatus.SUBMITTED)
    resource.status = ResourceStatus.IN_REVIEW
    resource.reviewer = by
    resource.save(update_fields=["status", "reviewer", "updated_at"])
    _event(resource, ResourceEventKind.REVIEW_STARTED, by=by)
    _notify_contributor(
        resource, by=by, kind=NotificationKind.RESOURCE_REVIEW,
        title=_("%(person)s started reviewing “%(title)s”")
        % {"person": by, "title": resource.title},
    )
    return resource


@transaction.atomic
def resource_comment(*, resource: Resource, by: User, body: str) -> ResourceEvent:
    """A comment of the contributor or a reviewer while the resource is under review or
    sent back to its contributor; the other side is notified."""
    resource = _locked(resource)
    body = _text(body, field="body", required=_("Write your comment."))
    sent_back = resource.status == ResourceStatus.DRAFT and resource.submitted_at is not None
    if not sent_back:
        _expect(resource, ResourceStatus.SUBMITTED, ResourceStatus.IN_REVIEW)
    event = _event(resource, ResourceEventKind.COMMENT, by=by, body=body)
    title = _("%(person)s commented on “%(title)s”") % {"person": by, "title": resource.title}
    if by.pk == resource.contributor_id:
        _notify_reviewers(resource, by=by, kind=NotificationKind.RESOURCE_REVIEW, title=title)
    else:
        _notify_contributor(resource, by=by, kind=NotificationKind.RESOURCE_REVIEW, title=title)
        if resource.reviewer_id not in (None, by.pk):
            notify(recipients=reviewers().filter(pk=resource.reviewer_id),
                   kind=NotificationKind.RESOURCE_REVIEW, title=title,
                   url=_review_url(resource), actor=by)
    return event


@transaction.atomic
def resource_request_changes(*, resource: Resource, by: User, comment: str) -> Resource:
    """Back to its contributor as a draft, with what to change."""
    resource = _locked(resource)
    _expect(resource, ResourceStatus.SUBMITTED, ResourceStatus.IN_REVIEW)
    comment = _text(comment, field="body", required=_("Say what should be changed."))
    resource.status = ResourceStatus.DRAFT
    resource.reviewer = by
    resource.save(update_fields=["status", "reviewer", "updated_at"])
    _event(resource, ResourceEventKind.CHANGES_REQUESTED, by=by, body=comment)
    _notify_contributor(
        resource, by=by, kind=NotificationKind.RESOURCE_REVIEW,
        title=_("Changes requested on “%(title)s”") % {"title": resource.title},
    )
    return resource


@transaction.atomic
def resource_publish(*, resource: Resource, by: User, comment: str = "") -> Resource:
    """Published: in the search index and seen by everyone."""
    resource = _locked(resource)
    _expect(resource, ResourceStatus.SUBMITTED, ResourceStatus.IN_REVIEW)
    comment = _text(comment, field="body")
    resource.status = ResourceStatus.PUBLISHED
    resource.reviewer = by
    resource.published_at = timezone.now()
    resource.refusal_reason = ""
    resource.save(update_fields=["status", "reviewer", "published_at", "refusal_reason",
                                 "updated_at"])
    _event(resource, ResourceEventKind.PUBLISHED, by=by, body=comment)
    audit.record(AuditAction.RESOURCE_PUBLISHED, target=resource, actor=by)
    resources_index([resource])
    _notify_contributor(
        resource, by=by, kind=NotificationKind.RESOURCE_REVIEW,
        title=_("“%(title)s” is published") % {"title": resource.title},
    )
    return resource


@transaction.atomic
def resource_refuse(*, resource: Resource, by: User, reason: str) -> Resource:
    resource = _locked(resource)
    _expect(resource, ResourceStatus.SUBMITTED, ResourceStatus.IN_REVIEW)
    reason = _text(reason, field="body", required=_("Give the reason for the refusal."))
    resource.status = ResourceStatus.REFUSED
    resource.reviewer = by
    resource.refusal_reason = reason
    resource.save(update_fields=["status", "reviewer", "refusal_reason", "updated_at"])
    _event(resource, ResourceEventKind.REFUSED, by=by, body=reason)
    _notify_contributor(
        resource, by=by, kind=NotificationKind.RESOURCE_REVIEW,
        title=_("“%(title)s” was refused") % {"title": resource.title},
    )
    return resource


@transaction.atomic
def resource_unpublish(*, resource: Resource, by: User, reason: str) -> Resource:
    """A published resource back to a draft (out of the index), with the reason."""
    resource = _locked(resource)
    _expect(resource, ResourceStatus.PUBLISHED)
    reason = _text(reason, field="body", required=_("Give the reason for unpublishing."))
    resource.status = ResourceStatus.DRAFT
    resource.reviewer = by
    resource.save(update_fields=["status", "reviewer", "updated_at"])
    _event(resource, ResourceEventKind.UNPUBLISHED, by=by, body=reason)
    audit.record(AuditAction.RESOURCE_UNPUBLISHED, target=resource, actor=by)
    resources_index([resource])
    _notify_contributor(
        resource, by=by, kind=NotificationKind.RESOURCE_REVIEW,
        title=_("“%(title)s” was unpublished") % {"title": resource.title},
    )
    return resource


@transaction.atomic
def resource_delete(*, resource: Resource, by: User) -> None:
    """A contributor deletes their own draft never submitted; an admin deletes any."""
    resource = _locked(resource)
    if not by.is_platform_admin and not (
        resource.contributor_id == by.pk
        and resource.status == ResourceStatus.DRAFT
        and resource.submitted_at is None
    ):
        raise ValidationError(
            _("Only a draft never submitted can be deleted by its contributor."), code="state"
        )
    for file in resource.files.all():
        _file_delete(file)
    pk = resource.pk
    resource.delete()
    search.remove_documents([pk])
