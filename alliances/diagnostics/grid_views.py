"""Importing a maturity grid from a file, for platform admins (the back-office links here).

The file (JSON or XLSX in the grid exchange format, see grids.py) becomes a new grid or a
new draft version of an existing one; a bad file is refused whole and every problem is
listed with its place in the file.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from alliances.core.uploads import validate_upload

from .grids import grid_import_file

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


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def grid_import(request: HttpRequest) -> HttpResponse:
    if not getattr(request.user, "is_platform_admin", False):
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


urlpatterns: list[URLPattern] = [
    path("grilles/importer/", grid_import, name="grid_import"),
]
