"""Forms of the analyst's console. They check what a form can (required fields, sizes,
dates in order, one of a file or a text); the services check the rest and their errors are
shown on the same page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alliances.territories.models import Departement, Region

from .models import Survey

MAX_UPLOAD = 200 * 1024 * 1024  # a response file of a million rows is ~100 MB
MAX_XLSFORM = 5 * 1024 * 1024
MAX_MARGINS = 1024 * 1024
MAX_INVITATIONS = 5000


def _size(upload, limit: int):
    if upload is not None and upload.size > limit:
        raise forms.ValidationError(
            _("The file is too large (at most %(size)s MB).") % {"size": limit // (1024 * 1024)}
        )
    return upload


class SurveyForm(forms.Form):
    slug = forms.SlugField(
        label=_("Short name (in addresses)"), max_length=80,
        help_text=_("Lower-case letters, digits and hyphens, e.g. barometre-maires."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    population = forms.ChoiceField(
        label=_("Population"), choices=[("", "—"), *Survey.Population.choices],
    )
    scope = forms.ChoiceField(
        label=_("Scope"), choices=Survey.Scope.choices, initial=Survey.Scope.NATIONAL,
        widget=forms.RadioSelect,
        help_text=_("A local observatory gives its région or its département."),
    )
    region = forms.ModelChoiceField(
        label=_("Région (local observatory)"), queryset=Region.objects.all(), required=False,
    )
    departement = forms.ModelChoiceField(
        label=_("Département (local observatory)"), queryset=Departement.objects.all(),
        required=False,
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("scope") == Survey.Scope.LOCAL:
            if not cleaned.get("region") and not cleaned.get("departement"):
                self.add_error("region", _("A local observatory needs a région or a département."))
        else:
            # A national survey has no territory: whatever was picked before switching the
            # scope back is dropped rather than refused.
            cleaned["region"] = cleaned["departement"] = None
        return cleaned


class WaveForm(forms.Form):
    label = forms.CharField(
        label=_("Label"), max_length=64, help_text=_("Usually the year, e.g. 2025."),
    )
    field_start = forms.DateField(
        label=_("Fieldwork start"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    field_end = forms.DateField(
        label=_("Fieldwork end"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    xlsform = forms.FileField(
        label=_("XLSForm (.xlsx)"),
        help_text=_("The questionnaire in the XLSForm standard of ODK and KoboToolbox: "
                    "sheets survey, choices and settings."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls"}),
    )
    attributes = forms.CharField(
        label=_("Respondent attributes"), required=False, max_length=500,
        help_text=_("The names (codes) of the single-choice questions that describe the "
                    "respondent and serve as breakdowns and filters, separated by commas, "
                    "e.g. region, taille_commune."),
    )

    def clean_xlsform(self):
        return _size(self.cleaned_data.get("xlsform"), MAX_XLSFORM)

    @staticmethod
    def split_codes(text: str) -> list[str]:
        return [code.strip() for code in text.replace(";", ",").split(",") if code.strip()]

    def clean_attributes(self) -> list[str]:
        return self.split_codes(self.cleaned_data.get("attributes", ""))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("field_start"), cleaned.get("field_end")
        if start and end and end < start:
            self.add_error("field_end", _("The fieldwork cannot end before it starts."))
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Response file (CSV or XLSX)"),
        help_text=_("One row per respondent; the first row holds the question codes."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    weight_column = forms.CharField(
        label=_("Weight column (optional)"), required=False, max_length=64,
        help_text=_("Leave empty if the file has no weights: every row then weighs 1."),
    )
    skip_bad_rows = forms.BooleanField(
        label=_("Import the good rows and set the bad ones aside"), required=False,
        help_text=_("Otherwise nothing is imported if a row is bad."),
    )

    def clean_file(self):
        upload = _size(self.cleaned_data.get("file"), MAX_UPLOAD)
        if upload is not None and not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Choose a .csv or .xlsx file."))
        return upload


class MarginsForm(forms.Form):
    file = forms.FileField(
        label=_("Margins file (CSV)"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    text = forms.CharField(
        label=_("Or paste the margins"), required=False, max_length=MAX_MARGINS,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_("Columns variable,category,share; shares in % or as proportions, "
                    "summing to 100 or 1 for each variable."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        if upload is not None:
            try:
                _size(upload, MAX_MARGINS)
            except forms.ValidationError as error:
                self.add_error("file", error)
                return cleaned
            raw = upload.read()
            try:
                cleaned["margins_text"] = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                # Spreadsheets saved as CSV on Windows are often cp1252.
                cleaned["margins_text"] = raw.decode("cp1252", errors="replace")
        elif cleaned.get("text", "").strip():
            cleaned["margins_text"] = cleaned["text"]
        elif not self.errors:
            raise forms.ValidationError(_("Choose a margins file or paste the margins."))
        return cleaned


class InvitationsForm(forms.Form):
    count = forms.IntegerField(
        label=_("Number of invitations"), min_value=0, max_value=MAX_INVITATIONS,
        required=False,
    )
    labels = forms.CharField(
        label=_("Or one label a line (e.g. the respondent's name, for your follow-up)"),
        required=False, widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        labels = [line.strip()[:200] for line in cleaned.get("labels", "").splitlines()
                  if line.strip()]
        cleaned["labels"] = labels
        count = cleaned.get("count") or 0
        if len(labels) > MAX_INVITATIONS:
            self.add_error("labels", _("At most %(max)s invitations at once.")
                           % {"max": MAX_INVITATIONS})
        elif not labels and not count and not self.errors:
            raise forms.ValidationError(_("Give a number of invitations or their labels."))
        cleaned["count"] = count
        return cleaned
