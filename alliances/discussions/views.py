"""Pages of the discussions: a cohort's threads, a territory's, a thread, and its actions.

Everything is private to the cohort: people outside it (and, for a territory's threads,
the other territories' members) get 404, so nothing leaks. Anonymous visitors are sent
to log in. Every write works without JavaScript; following a thread is also an htmx
toggle that re-renders its own fragment.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliances.journeys.models import Cohort, PilotTerritory

from . import services
from .forms import HideForm, PostEditForm, PostForm, ThreadForm
from .models import Attachment, Follow, Post, Thread
from .rules import Viewer, viewer_of
from .selectors import audience_handles, is_unread, posts_of, with_markers

THREADS_PER_PAGE = 20


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _add_errors(form: Form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _cohort(request: HttpRequest, slug: str) -> tuple[Cohort, Viewer]:
    cohort = Cohort.objects.filter(slug=slug).first()
    if cohort is None:
        raise Http404
    viewer = viewer_of(request.user, cohort.pk)
    if not viewer.member:
        raise Http404
    return cohort, viewer


def _thread(request: HttpRequest, pk: int) -> tuple[Thread, Viewer]:
    following = Follow.objects.filter(thread=OuterRef("pk"), user_id=request.user.pk)
    thread = (
        Thread.objects.select_related("cohort", "pilot_territory", "author")
        .annotate(following=Exists(following))
        .filter(pk=pk)
        .first()
    )
    if thread is None:
        raise Http404
    viewer = viewer_of(request.user, thread.cohort_id)
    if not viewer.sees(thread):
        raise Http404
    return thread, viewer


def _threads_page(
    request: HttpRequest,
    cohort: Cohort,
    viewer: Viewer,
    territory: PilotTerritory | None,
    form: ThreadForm | None = None,
    status: int = 200,
) -> HttpResponse:
    threads = with_markers(Thread.objects.filter(cohort=cohort, pilot_territory=territory), viewer)
    page = Paginator(threads, THREADS_PER_PAGE).get_page(request.GET.get("page"))
    for thread in page:
        thread.unread = is_unread(thread)
    territory_id = territory.pk if territory is not None else None
    if form is None and viewer.writes_in(territory_id):
        form = ThreadForm(auto_id="new-thread-%s")
    territories: list[PilotTerritory] = []
    if viewer.moderator:
        territories = list(cohort.pilot_territories.order_by("name", "pk"))
    elif viewer.territory_id is not None:
        territories = list(cohort.pilot_territories.filter(pk=viewer.territory_id))
    context: dict[str, Any] = {
        "cohort": cohort,
        "territory": territory,
        "territories": territories,
        "viewer": viewer,
        "page": page,
        "form": form,
        "handles": audience_handles(cohort.pk, territory_id) if form is not None else [],
    }
    return render(request, "discussions/threads.html", context, status=status)


def _create_thread(
    request: HttpRequest, cohort: Cohort, viewer: Viewer, territory: PilotTerritory | None
) -> HttpResponse:
    if not viewer.writes_in(territory.pk if territory is not None else None):
        raise PermissionDenied
    form = ThreadForm(request.POST, request.FILES, auto_id="new-thread-%s")
    if form.is_valid():
        try:
            thread = services.thread_create(
                cohort=cohort,
                author=request.user,
                pilot_territory=territory,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your discussion is started."))
            return redirect("discussions:thread", pk=thread.pk)
    return _threads_page(request, cohort, viewer, territory, form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def cohort_threads(request: HttpRequest, slug: str) -> HttpResponse:
    cohort, viewer = _cohort(request, slug)
    if request.method == "POST":
        return _create_thread(request, cohort, viewer, None)
    return _threads_page(request, cohort, viewer, None)


@login_required
@require_http_methods(["GET", "POST"])
def territory_threads(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    cohort, viewer = _cohort(request, slug)
    territory = get_object_or_404(PilotTerritory, pk=pk, cohort=cohort)
    if not viewer.sees_territory(territory.pk):
        raise Http404
    if request.method == "POST":
        return _create_thread(request, cohort, viewer, territory)
    return _threads_page(request, cohort, viewer, territory)


def _thread_page(
    request: HttpRequest,
    thread: Thread,
    viewer: Viewer,
    form: PostForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = Paginator(posts_of(thread), services.POSTS_PER_PAGE).get_page(request.GET.get("page"))
    for post in page:
        post.editable = services.post_editable_by(post, request.user)
    may_post = viewer.may_post(thread)
    if form is None and may_post:
        form = PostForm(auto_id="reply-%s")
    context: dict[str, Any] = {
        "thread": thread,
        "cohort": thread.cohort,
        "viewer": viewer,
        "page": page,
        "form": form,
        "may_post": may_post,
        "may_moderate": viewer.may_moderate(thread),
        "following": thread.following,  # type: ignore[attr-defined]
        "handles": (
            audience_handles(thread.cohort_id, thread.pilot_territory_id) if may_post else []
        ),
    }
    services.thread_mark_read(thread=thread, user=request.user)
    return render(request, "discussions/thread.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    thread, viewer = _thread(request, pk)
    if request.method == "GET":
        return _thread_page(request, thread, viewer)
    if not viewer.writes_in(thread.pilot_territory_id):
        raise PermissionDenied
    form = PostForm(request.POST, request.FILES, auto_id="reply-%s")
    if form.is_valid():
        try:
            post = services.post_create(
                thread=thread,
                author=request.user,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your message is posted."))
            return redirect(services.post_url(post))
    return _thread_page(request, thread, viewer, form=form, status=400)


@login_required
@require_POST
def thread_follow(request: HttpRequest, pk: int) -> HttpResponse:
    thread, _viewer = _thread(request, pk)
    following = request.POST.get("follow") == "1"
    if following:
        services.thread_follow(thread=thread, user=request.user)
    else:
        services.thread_unfollow(thread=thread, user=request.user)
    if _is_htmx(request):
        context = {"thread": thread, "following": following, "announce": True}
        return render(request, "discussions/thread.html#follow", context)
    if following:
        messages.success(request, _("You follow this discussion."))
    else:
        messages.success(request, _("You no longer follow this discussion."))
    return redirect("discussions:thread", pk=thread.pk)


@login_required
@require_POST
def thread_lock(request: HttpRequest, pk: int) -> HttpResponse:
    thread, viewer = _thread(request, pk)
    if not viewer.may_moderate(thread):
        raise PermissionDenied
    locked = request.POST.get("locked") == "1"
    services.thread_lock(thread=thread, by=request.user, locked=locked)
    messages.success(
        request, _("The discussion is locked.") if locked else _("The discussion is reopened.")
    )
    return redirect("discussions:thread", pk=thread.pk)


@login_required
@require_POST
def thread_pin(request: HttpRequest, pk: int) -> HttpResponse:
    thread, viewer = _thread(request, pk)
    if not viewer.may_moderate(thread):
        raise PermissionDenied
    pinned = request.POST.get("pinned") == "1"
    services.thread_pin(thread=thread, by=request.user, pinned=pinned)
    messages.success(
        request, _("The discussion is pinned.") if pinned else _("The discussion is unpinned.")
    )
    return redirect("discussions:thread", pk=thread.pk)


def _post(request: HttpRequest, pk: int) -> tuple[Post, Viewer]:
    post = Post.objects.select_related("thread__cohort", "author").filter(pk=pk).first()
    if post is None:
        raise Http404
    viewer = viewer_of(request.user, post.thread.cohort_id)
    if not viewer.sees(post.thread):
        raise Http404
    return post, viewer


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post, _viewer = _post(request, pk)
    if not services.post_editable_by(post, request.user):
        raise PermissionDenied
    form = PostEditForm(request.POST or None, initial={"body": post.body}, auto_id="edit-%s")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.post_edit(post=post, user=request.user, body=form.cleaned_data["body"])
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Your message is changed."))
                return redirect(services.post_url(post))
        status = 400
    context = {"post": post, "thread": post.thread, "cohort": post.thread.cohort, "form": form}
    return render(request, "discussions/post_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def post_hide(request: HttpRequest, pk: int) -> HttpResponse:
    post, viewer = _post(request, pk)
    if not viewer.may_moderate(post.thread):
        raise PermissionDenied
    form = HideForm(request.POST or None, auto_id=f"hide-{post.pk}-%s")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.post_hide(post=post, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The message is hidden."))
                return redirect(services.post_url(post))
        status = 400
    context = {"post": post, "thread": post.thread, "cohort": post.thread.cohort, "form": form}
    return render(request, "discussions/post_hide.html", context, status=status)


@login_required
@require_POST
def post_unhide(request: HttpRequest, pk: int) -> HttpResponse:
    post, viewer = _post(request, pk)
    if not viewer.may_moderate(post.thread):
        raise PermissionDenied
    services.post_unhide(post=post, by=request.user)
    messages.success(request, _("The message is shown again."))
    return redirect(services.post_url(post))


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = Attachment.objects.select_related("post__thread").filter(pk=pk).first()
    if attachment is None:
        raise Http404
    thread = attachment.post.thread
    viewer = viewer_of(request.user, thread.cohort_id)
    if not viewer.sees(thread) or (attachment.post.is_hidden and not viewer.may_moderate(thread)):
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, as_attachment=True, filename=attachment.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
