from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliances.actors.models import Organisation
from alliances.actors.selectors import wants_fragment
from alliances.core.paging import page_links
from alliances.lib.richtext import render_markdown

from .forms import AnswerForm, ContactForm, NeedForm
from .models import ContactStatus, NeedStatus
from .rules import is_recipient_member
from .selectors import (
    contact_request_detail,
    contact_requests_of,
    need_detail,
    need_directory,
    need_requests,
    suggestions,
    user_organisations,
)
from .services import (
    contact_request_answer,
    contact_request_send,
    contact_requests_left,
    need_create,
    need_update,
)


def _form_errors(form, error: ValidationError) -> None:
    """A service's refusal shown on the form, on its field when it names one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    context = {"directory": need_directory(request.user, request.GET)}
    template = "needs/index.html#results" if wants_fragment(request) else "needs/index.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("needs.add_need"):
        raise PermissionDenied
    admin = request.user.is_platform_admin
    organisations = (
        Organisation.objects.all() if admin
        else Organisation.objects.filter(memberships__user=request.user).order_by("search_name")
    )
    initial = {}
    if request.GET.get("organisation", "").isdigit():
        initial["organisation"] = request.GET["organisation"]
    form = NeedForm(request.POST or None, initial=initial, user=request.user,
                    organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            need = need_create(**form.service_data(), created_by=request.user)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The need was posted."))
            return redirect(need)
    return render(request, "needs/form.html", {"form": form, "need": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    need = need_detail(request.user, pk)
    if need is None:
        raise Http404
    if not request.user.has_perm("needs.change_need", need):
        raise PermissionDenied
    form = NeedForm(request.POST or None, instance=need, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            need_update(need=need, data=form.service_data())
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The need was updated."))
            return redirect(need)
    return render(request, "needs/form.html", {"form": form, "need": need})


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = need_detail(request.user, pk)
    if need is None:
        raise Http404
    user = request.user
    mine = user_organisations(user)
    is_member = any(o.pk == need.organisation_id for o in mine)
    helpers = [o for o in mine if o.pk != need.organisation_id]
    requests = need_requests(need, mine)
    context = {
        "need": need,
        # Sanitised by nh3 (alliances.lib.richtext): safe to mark safe.
        "description_html": mark_safe(render_markdown(need.description)),  # noqa: S308
        # What the rule says (admins and the need's members), without asking again.
        "can_change": is_member or user.is_platform_admin if user.is_authenticated else False,
        "is_member": is_member,
        "suggestions": suggestions(need, user) if is_member else None,
        "helpers": helpers,
        "requests": requests,
        "offered": {r.sender_id for r in requests if r.recipient_id == need.organisation_id},
        "is_open": need.status == NeedStatus.OPEN,
    }
    return render(request, "needs/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest, pk: int, organisation_id: int) -> HttpResponse:
    """From a suggestion, the need's organisation writes to `organisation_id`; or
    `organisation_id` is one of the user's organisations offering its help to the need."""
    need = need_detail(request.user, pk)
    if need is None:
        raise Http404
    other = get_object_or_404(Organisation, pk=organisation_id)
    mine = {o.pk: o for o in user_organisations(request.user)}
    if other.pk in mine and other.pk != need.organisation_id:
        sender, recipient = other, need.organisation
    elif need.organisation_id in mine:
        if not (other.is_public or request.user.is_platform_admin):
            raise Http404
        sender, recipient = need.organisation, other
    else:
        raise PermissionDenied
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact = contact_request_send(
                need=need, sender=sender, recipient=recipient, user=request.user,
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Your request was sent to %(organisation)s.")
                             % {"organisation": recipient.name})
            return redirect("needs:contact_detail", contact.pk)
    context = {
        "need": need, "sender": sender, "recipient": recipient, "form": form,
        "left": contact_requests_left(request.user),
    }
    return render(request, "needs/contact_form.html", context)


@login_required
@require_GET
def contacts(request: HttpRequest) -> HttpResponse:
    contacts = contact_requests_of(request.user, received_page=request.GET.get("recus"),
                                   sent_page=request.GET.get("envoyes"))
    return render(request, "needs/contacts.html", {
        "contacts": contacts,
        "received_links": page_links(request, contacts.received, "recus"),
        "sent_links": page_links(request, contacts.sent, "envoyes"),
    })


def _visible_request(request: HttpRequest, pk: int):
    contact = contact_request_detail(pk)
    if contact is None or not request.user.has_perm("needs.view_contactrequest", contact):
        raise Http404
    return contact


@login_required
@require_GET
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _visible_request(request, pk)
    user = request.user
    return render(request, "needs/contact_detail.html", _contact_context(user, contact))


def _contact_context(user, contact, form=None) -> dict:
    mine = {o.pk for o in user_organisations(user)}
    accepted = contact.status == ContactStatus.ACCEPTED
    can_answer = (
        contact.status == ContactStatus.PENDING
        and is_recipient_member(user, contact)
    )
    return {
        "contact": contact,
        "accepted": accepted,
        "is_sender": contact.sender_id in mine,
        "is_recipient": contact.recipient_id in mine,
        # Who to write to, shown once accepted only: each side sees the other's person.
        "show_sender_person": accepted and (contact.recipient_id in mine
                                            or user.is_platform_admin),
        "show_answerer": accepted and (contact.sender_id in mine or user.is_platform_admin),
        "can_answer": can_answer,
        "form": form or (AnswerForm() if can_answer else None),
    }


@login_required
@require_POST
def contact_answer(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _visible_request(request, pk)
    # The rule itself, not has_perm: a superuser has every permission, yet only the
    # recipient's members answer for their organisation.
    if not is_recipient_member(request.user, contact):
        raise PermissionDenied
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            contact_request_answer(
                request=contact, user=request.user,
                accept=form.cleaned_data["decision"] == "accept",
                reply=form.cleaned_data["reply"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("needs:contact_detail", contact.pk)
        if form.cleaned_data["decision"] == "accept":
            messages.success(request, _("You accepted the request: the contacts are shared."))
        else:
            messages.success(request, _("You declined the request."))
        return redirect("needs:contact_detail", contact.pk)
    context = _contact_context(request.user, contact, form=form)
    return render(request, "needs/contact_detail.html", context, status=400)
