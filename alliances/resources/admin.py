"""The resource centre in the back-office, for platform admins only.

- The référentiel: its nodes listed in tree order with their number (2.1.3), each edited
  with its children inline. It keeps three levels: a parent is a part or a chapter, and a
  node with children cannot move where its children would be a fourth level.
- Resources: their text, metadata, tags, links and relations are edited here; a resource's
  files and its review state are changed on the site (files are checked on upload there,
  a publication goes through the review). Every save goes through `resource_update` once
  the admin has written the form, so that the edit is a version and the search index is
  in step within the same transaction; a deletion goes through `resource_delete`.
- Collections, with their items inline.

Animateurs and other staff who are not platform admins see none of it: the site is where
they review and curate.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alliances.accounts.models import User
from alliances.core.vocabularies import tag_families

from .models import (
    MAX_DEPTH,
    Collection,
    CollectionItem,
    ReferentielNode,
    Resource,
    ResourceFile,
    ResourceLink,
    ResourceTag,
)
from .selectors import referentiel_flat
from .services import resource_delete, resource_update, resources_index


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # the admin site signs in
    return request.user


class AdminOnly:
    """Only platform admins, whatever model permissions a staff account was given."""

    def _admin(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_active and user.is_platform_admin)

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


# -- the référentiel ------------------------------------------------------------------------


def _subtree_height(node: ReferentielNode) -> int:
    """1 for a leaf, 2 with children, 3 with grandchildren (the tree has three levels)."""
    if node.pk is None:
        return 1
    if ReferentielNode.objects.filter(parent__parent=node).exists():
        return 3
    return 2 if ReferentielNode.objects.filter(parent=node).exists() else 1


def _depth_of(parent: ReferentielNode | None) -> int:
    depth = 1
    while parent is not None:
        depth += 1
        parent = parent.parent
    return depth


class ReferentielNodeForm(forms.ModelForm):
    class Meta:
        model = ReferentielNode
        fields = ["parent", "position", "title", "description"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        parent = cleaned.get("parent")
        if self.instance.pk is not None:
            deepest = _depth_of(parent) + _subtree_height(self.instance) - 1
            if deepest > MAX_DEPTH:
                self.add_error("parent", gettext(
                    "Moved there, its sub-nodes would make a fourth level: the référentiel "
                    "has three levels (parts, chapters, questions)."
                ))
        return cleaned


class ChildInline(admin.TabularInline):
    model = ReferentielNode
    fk_name = "parent"
    fields = ["position", "title", "description"]
    extra = 0
    verbose_name = _("sub-node")
    verbose_name_plural = _("sub-nodes (chapters of a part, questions of a chapter)")


class ReferentielChangeList(ChangeList):
    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        tree = {item.pk: item for item in referentiel_flat()}
        for node in self.result_list:
            item = tree.get(node.pk)
            node.tree_number = item.number if item else ""
            node.tree_depth = item.depth if item else None


@admin.register(ReferentielNode)
class ReferentielNodeAdmin(AdminOnly, admin.ModelAdmin):
    form = ReferentielNodeForm
    list_display = ["number", "title", "depth_label"]
    list_display_links = ["title"]
    search_fields = ["title", "description"]
    sortable_by = ()
    list_per_page = 200
    inlines = [ChildInline]

    def get_ordering(self, request: HttpRequest) -> list:
        """Tree order in SQL, three levels deep: by the part's place, then the chapter's,
        then the question's; a part's own row comes before its chapters (nulls first).
        Expressions on the fields only, so that other admins' choices of nodes (a
        resource's) are in tree order too."""
        question = Q(parent__parent__isnull=False)
        chapter = Q(parent__isnull=False, parent__parent__isnull=True)
        keys = [
            Coalesce("parent__parent__position", "parent__position", "position"),
            Coalesce("parent__parent", "parent", "id"),
            Case(When(question, then=F("parent__position")), When(chapter, then=F("position"))),
            Case(When(question, then=F("parent")), When(chapter, then=F("id"))),
            Case(When(question, then=F("position"))),
            Case(When(question, then=F("id"))),
        ]
        return [key.asc(nulls_first=True) for key in keys]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return ReferentielChangeList

    @admin.display(description=_("number"))
    def number(self, obj: ReferentielNode) -> str:
        return getattr(obj, "tree_number", "")

    @admin.display(description=_("level"))
    def depth_label(self, obj: ReferentielNode) -> str:
        depth = getattr(obj, "tree_depth", None)
        return {1: gettext("part"), 2: gettext("chapter"), 3: gettext("question")}.get(
            depth or 0, ""
        )

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name != "parent":
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        # A parent is a part or a chapter: its children are at most at the third level.
        numbers = {item.pk: item.number for item in referentiel_flat()}
        field = forms.ModelChoiceField(
            queryset=ReferentielNode.objects.filter(
                Q(parent__isnull=True) | Q(parent__parent__isnull=True)
            ).order_by(*self.get_ordering(request)),
            required=False, label=db_field.verbose_name,
            help_text=_("A part, or a chapter; none for a part."),
        )
        field.label_from_instance = (  # type: ignore[method-assign]
            lambda obj: f"{numbers.get(obj.pk, '')} {obj.title}".strip()
        )
        return field

    def get_inlines(self, request: HttpRequest, obj: ReferentielNode | None) -> list:
        # A question (third level) has no sub-node.
        if obj is not None and obj.depth() >= MAX_DEPTH:
            return []
        return list(super().get_inlines(request, obj))


# -- resources ------------------------------------------------------------------------------


class TagForm(forms.ModelForm):
    class Meta:
        model = ResourceTag
        fields = ["family", "code"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        family, code = cleaned.get("family"), cleaned.get("code")
        if family and code is not None:
            codes = tag_families().get(family, {})
            if code not in codes:
                self.add_error("code", gettext("Unknown code for this family; one of: %(codes)s")
                               % {"codes": ", ".join(codes)})
        return cleaned


class TagInline(admin.TabularInline):
    model = ResourceTag
    form = TagForm
    extra = 0


class LinkInline(admin.TabularInline):
    model = ResourceLink
    fields = ["position", "url", "title"]
    extra = 0


class FileInline(admin.TabularInline):
    """Files are added and removed on the site, where their content is checked."""

    model = ResourceFile
    fields = ["position", "name", "size"]
    readonly_fields = ["position", "name", "size"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = [
            "kind", "title", "summary", "body", "authors", "organisations", "region",
            "departement", "issued_on", "licence", "nodes", "steps",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        region, departement = cleaned.get("region"), cleaned.get("departement")
        if departement is not None and region is not None and departement.region_id != region.pk:
            self.add_error("departement", gettext("This département is not in the region chosen."))
        return cleaned


@admin.register(Resource)
class ResourceAdmin(AdminOnly, admin.ModelAdmin):
    form = ResourceForm
    list_display = ["title", "kind", "status", "contributor", "published_at", "updated_at"]
    list_filter = ["status", "kind", "licence"]
    search_fields = ["title", "summary", "authors"]
    list_select_related = ["contributor"]
    date_hierarchy = "published_at"
    fields = [
        "kind", "title", "summary", "body", "authors", "organisations", "region",
        "departement", "issued_on", "licence", "nodes", "steps", "status", "contributor",
        "reviewer", "refusal_reason", "version", "submitted_at", "published_at",
        "created_at", "updated_at",
    ]
    readonly_fields = [
        "status", "contributor", "reviewer", "refusal_reason", "version", "submitted_at",
        "published_at", "created_at", "updated_at",
    ]
    filter_horizontal = ["nodes", "steps"]
    raw_id_fields = ["organisations"]
    inlines = [TagInline, LinkInline, FileInline]
    actions = ["reindex"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # Resources are proposed on the site (or imported), where they get a contributor,
        # checked files and a review.
        return False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # The admin has written the row, its relations and inlines: resource_update (no
        # field given) re-reads them, records the version and puts the index in step.
        resource_update(resource=form.instance, by=_user(request),
                        note=gettext("Edited in the back-office"))

    def delete_model(self, request: HttpRequest, obj: Resource) -> None:
        resource_delete(resource=obj, by=_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Resource]) -> None:
        with transaction.atomic():
            for resource in queryset:
                resource_delete(resource=resource, by=_user(request))

    @admin.action(description=_("Put again in the search index"), permissions=["change"])
    def reindex(self, request: HttpRequest, queryset: QuerySet[Resource]) -> None:
        resources = list(queryset.prefetch_related("tags", "organisations", "files"))
        resources_index(resources)
        self.message_user(
            request,
            gettext("%(count)d resources indexed again (the unpublished ones taken out).")
            % {"count": len(resources)},
            messages.SUCCESS,
        )


# -- collections ----------------------------------------------------------------------------


class ItemInline(admin.TabularInline):
    model = CollectionItem
    fields = ["position", "resource", "note"]
    raw_id_fields = ["resource"]
    extra = 0


@admin.register(Collection)
class CollectionAdmin(AdminOnly, admin.ModelAdmin):
    list_display = ["title", "owner", "session", "is_public", "updated_at"]
    list_filter = ["is_public"]
    search_fields = ["title", "description"]
    list_select_related = ["owner", "session"]
    raw_id_fields = ["owner", "session"]
    inlines = [ItemInline]
