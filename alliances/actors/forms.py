from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alliances.lib.identifiers import normalise
from alliances.territories.models import Commune

from .models import Fragility, Organisation, OrganisationType, Sector


class DirectoryFilterForm(forms.Form):
    """The GET filters of an actor list; an invalid field is ignored, not fatal."""

    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("All types")), *OrganisationType.choices],
    )
    fragility = forms.ModelChoiceField(
        label=_("Fragility domain"),
        required=False,
        queryset=Fragility.objects.all(),
        empty_label=_("All domains"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.input_type = "search"

    def valid_values(self) -> dict[str, Any]:
        """The cleaned values of the fields that passed validation."""
        self.is_valid()
        return {
            name: self.cleaned_data[name]
            for name in self.fields
            if name in self.cleaned_data and name not in self.errors
        }


class OrganisationForm(forms.ModelForm):
    # Wider than the model's columns: people paste "552 100 554"; clean_* normalises.
    siren = forms.CharField(
        label=_("SIREN"), required=False, max_length=20,
        help_text=Organisation._meta.get_field("siren").help_text,
    )
    siret = forms.CharField(
        label=_("SIRET"), required=False, max_length=25,
        help_text=Organisation._meta.get_field("siret").help_text,
    )
    rna = forms.CharField(
        label=_("RNA number"), required=False, max_length=20,
        help_text=Organisation._meta.get_field("rna").help_text,
    )
    commune_code = forms.CharField(
        label=_("INSEE code of the commune"),
        required=False,
        max_length=5,
        help_text=_("5 characters, for example 94080 for Vincennes."),
    )
    fragilities = forms.ModelMultipleChoiceField(
        label=_("Fragility domains"),
        required=False,
        queryset=Fragility.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("Activity sectors"),
        required=False,
        queryset=Sector.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Organisation
        fields = [
            "name", "type", "siren", "siret", "rna", "commune_code", "address", "website",
            "description", "fragilities", "sectors", "is_public",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.commune_id:
            self.initial.setdefault("commune_code", self.instance.commune_id)

    def clean_siren(self) -> str:
        return normalise(self.cleaned_data["siren"])

    def clean_siret(self) -> str:
        return normalise(self.cleaned_data["siret"])

    def clean_rna(self) -> str:
        return normalise(self.cleaned_data["rna"])

    def clean_commune_code(self) -> Commune | None:
        code = self.cleaned_data["commune_code"].strip().upper()
        if not code:
            return None
        commune = Commune.objects.select_related("departement").filter(code=code).first()
        if commune is None:
            raise forms.ValidationError(
                _("No commune has the INSEE code %(code)s."), code="unknown",
                params={"code": code},
            )
        return commune

    def service_data(self) -> dict[str, Any]:
        """The validated values as the organisation services take them."""
        data = {name: self.cleaned_data[name] for name in self._meta.fields}
        data["commune"] = data.pop("commune_code")
        return data
