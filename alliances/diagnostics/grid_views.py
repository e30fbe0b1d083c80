"""The maturity grids: read by everyone, imported by platform admins.

Everyone reads the published versions of a grid (its levels, axes and criteria, with what
each level looks like) and downloads them as JSON or XLSX; platform admins also preview a
draft. Admins import a grid file (JSON or XLSX in the grid exchange format, see grids.py):
it becomes a new grid or a new draft version of an existing one; a bad file is refused
whole and every problem is listed with its place in the file.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from alliances.core.uploads import validate_upload

from .grids import grid_import_file, grid_version_json, grid_version_xlsx
from .models import Grid, GridVersion, GridVersionStatus
from .selectors import version_structure

MAX_BYTES = 2 * 1024 * 1024  # a grid is a few dozen criteria: 2 MB is generous


class GridImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Grid file"),
        help_text=gettext_lazy("A .json or .xlsx file in the grid exchange format (2 MB at most)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.xlsx"}),
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        name = upload.name or ""
        if name.lower().endswith(".json"):
            # validate_upload knows no JSON signature: the size is checked here and the
            # content by the JSON reader (UTF-8, then the JSON itself).
            if upload.size > MAX_BYTES:
                raise ValidationError(
                    _("“%(name)s” is too large (%(size)s); the limit is %(limit)s.")
                    % {
                        "name": name,
                        "size": filesizeformat(upload.size),
                        "limit": filesizeformat(MAX_BYTES),
                    }
                )
            if not upload.size:
                raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
            return upload
        return validate_upload(upload, allowed={"xlsx"}, max_bytes=MAX_BYTES)


def _is_admin(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_platform_admin", False))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def grid_import(request: HttpRequest) -> HttpResponse:
    if not _is_admin(request):
        raise PermissionDenied
    if request.method != "POST":
        return render(request, "diagnostics/grid_import.html", {"form": GridImportForm()})
    form = GridImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version = grid_import_file(name=upload.name, content=upload.read())
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            messages.success(
                request,
                _(
                    "“%(grid)s”: version %(number)s was imported as a draft. Check it, then "
                    "publish it."
                )
                % {"grid": version.grid.name, "number": version.number},
            )
            return redirect(reverse("admin:diagnostics_gridversion_change", args=[version.pk]))
    return render(request, "diagnostics/grid_import.html", {"form": form})


def _version(request: HttpRequest, grid: Grid, number: int | None) -> GridVersion:
    """The version asked for (the latest published one by default); a draft only for
    platform admins, a 404 for everyone else."""
    versions = grid.versions.all()
    if not _is_admin(request):
        versions = versions.filter(status=GridVersionStatus.PUBLISHED)
    if number is None:
        version = versions.filter(status=GridVersionStatus.PUBLISHED).order_by("-number").first()
    else:
        version = versions.filter(number=number).first()
    if version is None:
        raise Http404
    return version


def _number(request: HttpRequest) -> int | None:
    value = request.GET.get("version", "")
    if not value:
        return None
    if not value.isdigit() or len(value) > 5:
        raise Http404
    return int(value)


@require_GET
def grid_list(request: HttpRequest) -> HttpResponse:
    published = Q(versions__status=GridVersionStatus.PUBLISHED)
    grids = (
        Grid.objects.annotate(published=Count("versions", filter=published))
        .filter(published__gt=0)
        .order_by("-is_default", "name")
    )
    return render(request, "diagnostics/grid_list.html", {"grids": grids})


@require_GET
def grid_detail(request: HttpRequest, slug: str) -> HttpResponse:
    grid = get_object_or_404(Grid, slug=slug)
    version = _version(request, grid, _number(request))
    published = list(
        grid.versions.filter(status=GridVersionStatus.PUBLISHED)
        .order_by("-number")
        .values_list("number", flat=True)
    )
    context = {
        "grid": grid,
        "version": version,
        "levels": list(version.levels.order_by("rank")),
        "axes": version_structure(version),
        "published": published,
    }
    return render(request, "diagnostics/grid_detail.html", context)


@require_GET
def grid_download(request: HttpRequest, slug: str, number: int, extension: str) -> HttpResponse:
    grid = get_object_or_404(Grid, slug=slug)
    version = _version(request, grid, number)
    if extension == "json":
        response = HttpResponse(grid_version_json(version), content_type="application/json")
    else:
        response = HttpResponse(
            grid_version_xlsx(version),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = (
        f'attachment; filename="{grid.slug}-v{version.number}.{extension}"'
    )
    return response


urlpatterns: list[URLPattern] = [
    path("grilles/", grid_list, name="grid_list"),
    # Outside grilles/<slug>/: no grid slug can hide it.
    path("importer-une-grille/", grid_import, name="grid_import"),
    path("grilles/<slug:slug>/", grid_detail, name="grid_detail"),
    path(
        "grilles/<slug:slug>/v<int:number>.json",
        grid_download,
        {"extension": "json"},
        name="grid_download_json",
    ),
    path(
        "grilles/<slug:slug>/v<int:number>.xlsx",
        grid_download,
        {"extension": "xlsx"},
        name="grid_download_xlsx",
    ),
]
