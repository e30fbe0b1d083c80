"""Collections: the list, a collection's page (where its curators also edit it), its
creation, edition and deletion, and the curation of its items.

A collection is found only by those who may see it (404 otherwise); those who see it
without the right to change it are refused changes (403). The item controls are plain
POST forms that work without JavaScript (they come back to the page with a message);
under htmx they answer the items' fragment of the page instead, with the message in it,
and the resource picker answers its results fragment.
"""

from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliances.accounts.models import User
from alliances.resources import search

from . import collections as services
from .collection_forms import CollectionForm, NoteForm
from .collection_selectors import (
    collection_items,
    collection_list,
    mark_sessions_shown,
    sessions_curated_by,
)
from .models import Collection, CollectionItem, Resource

PICKER_RESULTS = 10


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required
    return request.user


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _errors(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(m for messages_ in error.message_dict.values() for m in messages_)
    return " ".join(error.messages)


def _collection(request: HttpRequest, pk: int, *, change: bool = False) -> Collection:
    collection = get_object_or_404(
        Collection.objects.select_related("owner", "session__cohort"), pk=pk
    )
    if not request.user.has_perm("resources.view_collection", collection):
        raise Http404
    if change and not request.user.has_perm("resources.change_collection", collection):
        raise PermissionDenied
    return collection


def _item(request: HttpRequest, pk: int) -> CollectionItem:
    item = get_object_or_404(
        CollectionItem.objects.select_related("collection", "resource"), pk=pk
    )
    _collection(request, item.collection_id, change=True)
    return item


def _picker(request: HttpRequest, collection: Collection, present: set[int]) -> dict[str, Any]:
    """Published resources matching `q`, in rank order, for the picker."""
    query = request.GET.get("q", "").strip()
    if not query:
        return {"query": "", "results": [], "count": 0}
    found = search.search(query, limit=PICKER_RESULTS, with_facets=False)
    by_id = Resource.objects.published().for_list().in_bulk([hit.id for hit in found.hits])
    results = [
        {"resource": by_id[hit.id], "present": hit.id in present}
        for hit in found.hits if hit.id in by_id
    ]
    return {"query": query, "results": results, "count": found.count}


def _detail_context(request: HttpRequest, collection: Collection, **extra: Any) -> dict[str, Any]:
    items = collection_items(collection, request.user)
    can_change = request.user.has_perm("resources.change_collection", collection)
    context: dict[str, Any] = {
        "collection": collection, "items": items, "can_change": can_change, **extra,
    }
    if can_change:
        context["picker"] = _picker(request, collection, {i.resource_id for i in items})
    return context


@require_GET
def collection_index(request: HttpRequest) -> HttpResponse:
    return render(request, "resources/collections/index.html", {
        "collections": collection_list(request.user),
        # The rule itself: no object, and Django's model permissions would cost two queries.
        "can_add": rules.has_perm("resources.add_collection", request.user),
    })


@require_GET
def collection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    collection = _collection(request, pk)
    mark_sessions_shown([collection], request.user)
    return render(request, "resources/collections/detail.html",
                  _detail_context(request, collection))


@login_required
@require_GET
def collection_picker(request: HttpRequest, pk: int) -> HttpResponse:
    collection = _collection(request, pk, change=True)
    present = set(collection.items.values_list("resource_id", flat=True))
    return render(request, "resources/collections/detail.html#picker-results", {
        "collection": collection, "picker": _picker(request, collection, present),
    })


def _form_page(request: HttpRequest, form: CollectionForm, collection: Collection | None
               ) -> HttpResponse:
    return render(request, "resources/collections/form.html",
                  {"form": form, "collection": collection})


@login_required
@require_http_methods(["GET", "POST"])
def collection_create(request: HttpRequest) -> HttpResponse:
    if not rules.has_perm("resources.add_collection", request.user):
        raise PermissionDenied
    if request.method == "GET":
        initial = {}
        session_id = request.GET.get("seance", "")
        if session_id.isdigit() and sessions_curated_by(request.user).filter(
            pk=session_id
        ).exists():
            initial["session"] = int(session_id)
        return _form_page(request, CollectionForm(user=request.user, initial=initial), None)
    form = CollectionForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            collection = services.collection_create(by=_user(request), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Collection created: add resources to it below."))
            return redirect(collection)
    return _form_page(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def collection_update(request: HttpRequest, pk: int) -> HttpResponse:
    collection = _collection(request, pk, change=True)
    if request.method == "GET":
        initial = {
            "title": collection.title, "description": collection.description,
            "session": collection.session_id, "is_public": collection.is_public,
        }
        form = CollectionForm(user=request.user, collection=collection, initial=initial)
        return _form_page(request, form, collection)
    form = CollectionForm(request.POST, user=request.user, collection=collection)
    if form.is_valid():
        try:
            services.collection_update(collection=collection, by=_user(request),
                                       **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Collection saved."))
            return redirect(collection)
    return _form_page(request, form, collection)


@login_required
@require_http_methods(["GET", "POST"])
def collection_delete(request: HttpRequest, pk: int) -> HttpResponse:
    collection = _collection(request, pk, change=True)
    if request.method == "GET":
        return render(request, "resources/collections/delete.html", {"collection": collection})
    services.collection_delete(collection=collection)
    messages.success(request, _("Collection “%(title)s” deleted.") % {"title": collection.title})
    return redirect("resources:collections")


def _after_item_change(request: HttpRequest, collection: Collection, *,
                       error: ValidationError | None = None, done: str = "",
                       focus: str = "") -> HttpResponse:
    """The items' fragment under htmx, else back to the page with the message."""
    message = _errors(error) if error is not None else done
    if _htmx(request):
        context = _detail_context(request, collection, item_message=message,
                                  item_error=error is not None, focus=focus)
        return render(request, "resources/collections/detail.html#items", context)
    (messages.error if error is not None else messages.success)(request, message)
    return redirect(reverse("resources:collection", args=[collection.pk]) + "#items")


@login_required
@require_POST
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    collection = _collection(request, pk, change=True)
    resource_id = request.POST.get("resource", "")
    resource = Resource.objects.filter(pk=resource_id).first() if resource_id.isdigit() else None
    if resource is None or not request.user.has_perm("resources.view_resource", resource):
        return _after_item_change(request, collection, error=ValidationError(
            _("Choose a resource from the search results.")
        ))
    try:
        item = services.collection_item_add(collection=collection, resource=resource)
    except ValidationError as error:
        return _after_item_change(request, collection, error=error)
    return _after_item_change(
        request, collection, done=_("“%(title)s” added.") % {"title": item.resource.title},
    )


@login_required
@require_POST
def item_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    services.collection_item_remove(item=item)
    return _after_item_change(
        request, item.collection,
        done=_("“%(title)s” removed from the collection.") % {"title": item.resource.title},
        focus="items-title",
    )


@login_required
@require_POST
def item_move(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    direction = request.POST.get("direction", "")
    try:
        services.collection_item_move(item=item, direction=direction)  # type: ignore[arg-type]
    except ValidationError as error:
        return _after_item_change(request, item.collection, error=error,
                                  focus=f"item-{item.pk}-{direction}")
    done = (_("“%(title)s” moved up.") if direction == "up"
            else _("“%(title)s” moved down.")) % {"title": item.resource.title}
    return _after_item_change(request, item.collection, done=done,
                              focus=f"item-{item.pk}-{direction}")


@login_required
@require_POST
def item_note(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _after_item_change(request, item.collection, error=ValidationError(
            [m for errors in form.errors.values() for m in errors]
        ), focus=f"item-{item.pk}-note")
    services.collection_item_note(item=item, note=form.cleaned_data["note"])
    return _after_item_change(
        request, item.collection,
        done=_("Note saved for “%(title)s”.") % {"title": item.resource.title},
        focus=f"item-{item.pk}-note",
    )


urlpatterns: list[URLPattern] = [
    path("collections/", collection_index, name="collections"),
    path("collections/nouvelle/", collection_create, name="collection_create"),
    path("collections/<int:pk>/", collection_detail, name="collection"),
    path("collections/<int:pk>/modifier/", collection_update, name="collection_update"),
    path("collections/<int:pk>/supprimer/", collection_delete, name="collection_delete"),
    path("collections/<int:pk>/chercher/", collection_picker, name="collection_picker"),
    path("collections/<int:pk>/ajouter/", item_add, name="collection_item_add"),
    path("collections/elements/<int:pk>/retirer/", item_remove, name="collection_item_remove"),
    path("collections/elements/<int:pk>/deplacer/", item_move, name="collection_item_move"),
    path("collections/elements/<int:pk>/note/", item_note, name="collection_item_note"),
]
