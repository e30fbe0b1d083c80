from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alliances.core.pagecache import cached_public_page

from .forms import OrganisationForm
from .models import Organisation
from .selectors import directory, organisation_detail, organisation_members, wants_fragment
from .services import organisation_create, organisation_update


@require_GET
@cached_public_page
def index(request: HttpRequest) -> HttpResponse:
    context = {"directory": directory(Organisation.objects.public(), request.GET)}
    template = "actors/index.html#results" if wants_fragment(request) else "actors/index.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@cached_public_page
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = organisation_detail(pk)
    # A non-public organisation is not found for those who may not see it: no leak.
    if organisation is None or not request.user.has_perm("actors.view_organisation", organisation):
        raise Http404
    can_change = request.user.has_perm("actors.change_organisation", organisation)
    context = {
        "organisation": organisation,
        "can_change": can_change,
        "members": organisation_members(organisation) if can_change else None,
    }
    return render(request, "actors/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("actors.add_organisation"):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = organisation_create(**form.service_data(), created_by=request.user)
        messages.success(request, _("The organisation was created."))
        return redirect(organisation)
    return render(request, "actors/form.html", {"form": form, "organisation": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = organisation_detail(pk)
    if organisation is None:
        raise Http404
    if not request.user.has_perm("actors.change_organisation", organisation):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        fragilities, sectors = data.pop("fragilities"), data.pop("sectors")
        organisation_update(
            organisation=organisation, data=data, fragilities=fragilities, sectors=sectors
        )
        messages.success(request, _("The organisation was updated."))
        return redirect(organisation)
    return render(request, "actors/form.html", {"form": form, "organisation": organisation})
