"""Contributing to the resource centre: propose and edit a resource, follow its review,
and the reviewers' queue and decisions; its versions and what each one changed.

Every page needs an account. A resource one may not see answers 404; one seen but not
editable or reviewable by the viewer, 403. The services check the state a transition
starts from: a double click or a page left open gets the page back with the error (409),
a missing comment or reason gets it back with the text kept (400).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliances.actors.models import Organisation
from alliances.core.vocabularies import tag_families
from alliances.journeys.models import ProgrammeStep
from alliances.lib.richtext import render_markdown
from alliances.territories.models import Departement, Region

from . import diffs, services
from .forms import MAX_LINKS, LinkFormSet, ResourceForm
from .models import (
    Licence,
    Resource,
    ResourceEvent,
    ResourceEventKind,
    ResourceKind,
    ResourceStatus,
    ResourceVersion,
)
from .selectors import referentiel_flat

QUEUE_PER_PAGE = 50
MINE_PER_PAGE = 50
ORGANISATION_RESULTS = 10
PREVIEW_MAX = 100_000
# Fields of a version in the order a diff shows them.
DIFF_ORDER = (
    "title", "kind", "summary", "body", "authors", "issued_on", "licence", "region_id",
    "departement_id", "tags", "nodes", "steps", "organisations", "links", "files",
)


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _resource(request: HttpRequest, pk: int, perm: str = "") -> Resource:
    resource = get_object_or_404(
        Resource.objects.select_related("contributor", "reviewer", "region", "departement"),
        pk=pk,
    )
    if not request.user.has_perm("resources.view_resource", resource):
        raise Http404
    if perm and not request.user.has_perm(perm, resource):
        raise PermissionDenied
    return resource


def _field_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# -- propose and edit ---------------------------------------------------------------------


def _links(formset) -> list[tuple[str, str]]:
    return [
        (data["url"], data.get("title", ""))
        for data in formset.cleaned_data
        if data and data.get("url")
    ]


def _form_page(request, *, form, links, resource=None, status=200) -> HttpResponse:
    context = {"form": form, "links": links, "resource": resource}
    return render(request, "resources/contribution/form.html", context, status=status)


def _posted_again(request: HttpRequest) -> bool:
    return request.method == "POST" and bool(
        {"preview", "find_organisations"} & set(request.POST)
    )


def _again_page(request, *, resource=None) -> HttpResponse:
    """Without JavaScript, the preview and the organisation search buttons post the whole
    form: it comes back as it was typed (not checked, nothing saved) with the text
    rendered, or the organisations found."""
    form = ResourceForm(initial=ResourceForm.initial_from(request.POST), user=request.user,
                        resource=resource)
    links = LinkFormSet(initial=_posted_links(request.POST), prefix="links")
    previewing = "preview" in request.POST
    query = request.POST.get("q", "").strip()[:100]
    context = {
        "form": form, "links": links, "resource": resource, "previewing": previewing,
        "preview_html": (
            render_markdown(request.POST.get("body", "")[:PREVIEW_MAX]) if previewing else None
        ),
        "org_results": None if previewing else _organisations_found(request, query),
        "org_query": query,
        "files_dropped": bool(request.FILES),
        # The version the editor started from, so that a save after the preview still
        # meets another's save in between.
        "base_version": request.POST.get("base_version", "")[:10],
    }
    return render(request, "resources/contribution/form.html", context)


def _posted_links(data) -> list[dict[str, str]]:
    try:
        total = min(int(data.get("links-TOTAL_FORMS", 0)), MAX_LINKS)
    except ValueError:
        total = 0
    rows = [
        {"url": data.get(f"links-{n}-url", ""), "title": data.get(f"links-{n}-title", "")}
        for n in range(total)
    ]
    return [row for row in rows if row["url"] or row["title"]]


@login_required
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("resources.add_resource"):
        raise PermissionDenied
    if _posted_again(request):
        return _again_page(request)
    data = request.POST if request.method == "POST" else None
    form = ResourceForm(data, request.FILES or None, user=request.user)
    links = LinkFormSet(data, prefix="links")
    if request.method == "POST" and form.is_valid() and links.is_valid():
        try:
            resource = services.resource_create(
                by=request.user, links=_links(links), files=form.cleaned_data["files"],
                **form.service_fields(),
            )
        except ValidationError as error:
            _field_errors(form, error)
        else:
            messages.success(
                request, _("Your draft is saved. Submit it for review when it is ready.")
            )
            return redirect("resources:review", pk=resource.pk)
    return _form_page(request, form=form, links=links,
                      status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource(request, pk, "resources.change_resource")
    if _posted_again(request):
        return _again_page(request, resource=resource)
    if request.method == "POST":
        form = ResourceForm(request.POST, request.FILES, user=request.user, resource=resource)
        links = LinkFormSet(request.POST, prefix="links")
        if form.is_valid() and links.is_valid():
            data = form.cleaned_data
            removed = [f for f in form.existing_files if f.pk in data["remove_files"]]
            try:
                resource = services.resource_update(
                    resource=resource, by=request.user, note=data["note"],
                    links=_links(links), files_add=data["files"], files_remove=removed,
                    expected_version=data["base_version"], **form.service_fields(),
                )
            except ValidationError as error:
                _field_errors(form, error)
                if getattr(error, "code", None) == "conflict":
                    return _form_page(request, form=form, links=links, resource=resource,
                                      status=409)
            else:
                messages.success(request, _("Saved (version %(number)d).")
                                 % {"number": resource.version})
                return redirect("resources:review", pk=resource.pk)
        return _form_page(request, form=form, links=links, resource=resource, status=400)
    form = ResourceForm(initial=ResourceForm.initial_for(resource), user=request.user,
                        resource=resource)
    links = LinkFormSet(
        initial=[{"url": link.url, "title": link.title} for link in resource.links.all()],
        prefix="links",
    )
    return _form_page(request, form=form, links=links, resource=resource)


@login_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The text as it will be shown (the same renderer as the pages)."""
    body = request.POST.get("body", "")[:PREVIEW_MAX]
    return render(request, "resources/contribution/_preview.html",
                  {"preview_html": render_markdown(body)})


@login_required
@require_GET
def organisation_search(request: HttpRequest) -> HttpResponse:
    """Organisations of the directory matching `q`, as checkboxes for the form."""
    query = request.GET.get("q", "").strip()[:100]
    return render(request, "resources/contribution/_organisations.html",
                  {"results": _organisations_found(request, query), "query": query})


def _organisations_found(request: HttpRequest, query: str) -> list[Organisation]:
    if len(query) < 2:
        return []
    return list(
        Organisation.objects.search(query)
        .filter(Q(is_public=True) | Q(memberships__user=request.user))
        .distinct()
        .order_by("name")[:ORGANISATION_RESULTS]
    )


# -- one's contributions and the reviewers' queue -----------------------------------------


def _last_comment(field: str) -> Subquery:
    """The latest word of a reviewer (or anyone but the contributor) on the resource."""
    return Subquery(
        ResourceEvent.objects.filter(resource=OuterRef("pk"))
        .exclude(body="")
        .exclude(author_id=OuterRef("contributor_id"))
        .order_by("-created_at", "-id")
        .values(field)[:1]
    )


@login_required
@require_GET
def my_contributions(request: HttpRequest) -> HttpResponse:
    resources = (
        Resource.objects.filter(contributor=request.user)
        .for_list()
        .annotate(
            last_comment=_last_comment("body"),
            last_comment_kind=_last_comment("kind"),
            last_comment_at=_last_comment("created_at"),
        )
        .order_by("-updated_at", "-id")
    )
    page = Paginator(resources, MINE_PER_PAGE).get_page(request.GET.get("page"))
    counts = dict(
        Resource.objects.filter(contributor=request.user)
        .values_list("status").annotate(n=Count("id")).order_by()
    )
    return render(request, "resources/contribution/mine.html", {
        "page": page, "page_range": page.paginator.get_elided_page_range(page.number),
        "counts": [
            (label, counts.get(value, 0)) for value, label in ResourceStatus.choices
        ],
        "event_labels": dict(ResourceEventKind.choices),
    })


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("resources.view_review_queue"):
        raise PermissionDenied
    resources = (
        Resource.objects.filter(status__in=[ResourceStatus.SUBMITTED, ResourceStatus.IN_REVIEW])
        .select_related("contributor", "reviewer")
        .only("id", "kind", "title", "status", "submitted_at", "contributor", "reviewer")
        .order_by("submitted_at", "id")
    )
    page = Paginator(resources, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "resources/contribution/queue.html", {
        "page": page, "page_range": page.paginator.get_elided_page_range(page.number),
    })


# -- the review page and its actions ------------------------------------------------------


def _review_context(request: HttpRequest, resource: Resource) -> dict[str, Any]:
    families = tag_families()
    tree = {item.pk: item for item in referentiel_flat()}
    user = request.user
    return {
        "resource": resource,
        "body_html": render_markdown(resource.body),
        "events": list(resource.events.select_related("author")),
        "tags": [
            families.get(t.family, {}).get(t.code, t.code) for t in resource.tags.all()
        ],
        "nodes": [tree[pk] for pk in resource.nodes.values_list("pk", flat=True) if pk in tree],
        "steps": list(resource.steps.select_related("phase__programme")),
        "organisations": list(resource.organisations.order_by("name")),
        "links": list(resource.links.all()),
        "files": list(resource.files.all()),
        "can": {
            name: user.has_perm(f"resources.{name}_resource", resource)
            for name in ("change", "submit", "review", "unpublish", "delete")
        },
        "can_comment": (
            user.has_perm("resources.follow_resource", resource)
            and (resource.status in (ResourceStatus.SUBMITTED, ResourceStatus.IN_REVIEW)
                 or (resource.status == ResourceStatus.DRAFT and resource.submitted_at))
        ),
    }


def _review_page(request, resource, *, error: ValidationError | None = None, body: str = "",
                 status: int = 200) -> HttpResponse:
    context = _review_context(request, resource)
    if error is not None:
        context["errors"] = error.messages
        context["body"] = body
        status = 409 if getattr(error, "code", None) == "state" else 400
    return render(request, "resources/contribution/review.html", context, status=status)


@login_required
@require_GET
def review(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_page(request, _resource(request, pk, "resources.follow_resource"))


def _act(request: HttpRequest, pk: int, perm: str, action, done: str, **kwargs) -> HttpResponse:
    resource = _resource(request, pk, perm)
    body = request.POST.get("body", "")
    try:
        action(resource=resource, by=request.user, **kwargs)
    except ValidationError as error:
        resource.refresh_from_db()
        return _review_page(request, resource, error=error, body=body)
    messages.success(request, done)
    return redirect("resources:review", pk=pk)


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "resources.submit_own_resource", services.resource_submit,
                _("Submitted: the reviewers are notified."), message=request.POST.get("body", ""))


@login_required
@require_POST
def review_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "resources.moderate_resource", services.resource_review_start,
                _("You are reviewing this resource."))


@login_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "resources.follow_resource", services.resource_comment,
                _("Comment sent."), body=request.POST.get("body", ""))


@login_required
@require_POST
def request_changes(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "resources.moderate_resource", services.resource_request_changes,
                _("Sent back to its contributor with your comment."),
                comment=request.POST.get("body", ""))


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "resources.moderate_resource", services.resource_publish,
                _("Published."), comment=request.POST.get("body", ""))


@login_required
@require_POST
def refuse(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "resources.moderate_resource", services.resource_refuse,
                _("Refused; the contributor is told why."), reason=request.POST.get("body", ""))


@login_required
@require_POST
def unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "resources.moderate_resource", services.resource_unpublish,
                _("Unpublished: it is a draft again."), reason=request.POST.get("body", ""))


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource(request, pk, "resources.delete_resource")
    services.resource_delete(resource=resource, by=request.user)
    messages.success(request, _("“%(title)s” is deleted.") % {"title": resource.title})
    return redirect("resources:my_contributions")


# -- versions -----------------------------------------------------------------------------


@login_required
@require_GET
def versions(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource(request, pk, "resources.follow_resource")
    rows = list(
        resource.versions.select_related("author").only(
            "number", "note", "created_at", "author__display_name", "author__email",
            "author__deleted_at", "resource_id",
        )
    )
    return render(request, "resources/contribution/versions.html",
                  {"resource": resource, "versions": rows})


def _diff_options(*snapshots: dict[str, Any]) -> diffs.Options:
    """How to show each value of the snapshots: labels, names, référentiel numbers."""

    def ids(name: str) -> set[Any]:
        return {v for s in snapshots for v in (s.get(name) or [])}

    families = tag_families()
    tree = {item.pk: f"{item.number} {item.title}" for item in referentiel_flat()}
    steps = dict(ProgrammeStep.objects.filter(pk__in=ids("steps")).values_list("pk", "title"))
    organisations = dict(
        Organisation.objects.filter(pk__in=ids("organisations")).values_list("pk", "name")
    )
    regions = dict(Region.objects.values_list("pk", "name"))
    departements = {d.pk: str(d) for d in Departement.objects.all()}
    kinds, licences = dict(ResourceKind.choices), dict(Licence.choices)

    def tag(value: str) -> str:
        family, _sep, code = value.partition(":")
        return families.get(family, {}).get(code, value)

    return diffs.Options(labels={
        "kind": lambda v: str(kinds.get(v, v)),
        "licence": lambda v: str(licences.get(v, v)),
        "region_id": lambda v: regions.get(v, v),
        "departement_id": lambda v: departements.get(v, v),
        "tags": tag,
        "nodes": lambda v: tree.get(v, f"#{v}"),
        "steps": lambda v: steps.get(v, f"#{v}"),
        "organisations": lambda v: organisations.get(v, f"#{v}"),
        "links": lambda v: f"{v[1]} <{v[0]}>" if v[1] else v[0],
    })


FIELD_LABELS = {
    "kind": Resource._meta.get_field("kind").verbose_name,
    "title": Resource._meta.get_field("title").verbose_name,
    "summary": Resource._meta.get_field("summary").verbose_name,
    "body": Resource._meta.get_field("body").verbose_name,
    "authors": Resource._meta.get_field("authors").verbose_name,
    "issued_on": Resource._meta.get_field("issued_on").verbose_name,
    "licence": Resource._meta.get_field("licence").verbose_name,
    "region_id": Resource._meta.get_field("region").verbose_name,
    "departement_id": Resource._meta.get_field("departement").verbose_name,
    "tags": Resource._meta.get_field("tags").related_model._meta.verbose_name_plural,
    "nodes": Resource._meta.get_field("nodes").verbose_name,
    "steps": Resource._meta.get_field("steps").verbose_name,
    "organisations": Resource._meta.get_field("organisations").verbose_name,
    "links": Resource._meta.get_field("links").related_model._meta.verbose_name_plural,
    "files": Resource._meta.get_field("files").related_model._meta.verbose_name_plural,
}


@login_required
@require_GET
def version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """What version `number` changed from the one before it."""
    resource = _resource(request, pk, "resources.follow_resource")
    pair = list(
        ResourceVersion.objects.filter(resource=resource, number__in=[number - 1, number])
        .select_related("author").order_by("number")
    )
    if not pair or pair[-1].number != number:
        raise Http404
    current = pair[-1]
    previous = pair[0] if len(pair) == 2 else None
    old = previous.data if previous else None
    changes = diffs.diff(old, current.data, options=_diff_options(current.data, old or {}),
                         order=DIFF_ORDER)
    rows = [(FIELD_LABELS.get(c.field, c.field), c) for c in changes]
    return render(request, "resources/contribution/version.html", {
        "resource": resource, "version": current, "previous": previous, "rows": rows,
        "last": resource.version,
    })
