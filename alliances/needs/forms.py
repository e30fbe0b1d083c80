from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alliances.actors.models import Fragility, Organisation
from alliances.partnerships.forms import find_organisation
from alliances.partnerships.territory import parse_territory

from .models import HelpKind, Need, NeedStatus


class NeedFilterForm(forms.Form):
    """The GET filters of the needs list; an invalid field is ignored, with a notice."""

    territory = forms.CharField(
        label=_("Territory"), required=False, max_length=40,
        help_text=_("A département (35) or a commune's INSEE code (35238)."),
    )
    kind = forms.ChoiceField(
        label=_("Kind of help"), required=False,
        choices=[("", _("All kinds of help")), *HelpKind.choices],
    )
    fragility = forms.ModelChoiceField(
        label=_("Fragility domain"), required=False, queryset=Fragility.objects.all(),
        empty_label=_("All domains"),
    )

    def clean_territory(self):
        value = self.cleaned_data["territory"].strip()
        if not value:
            return None
        territory = parse_territory(value)
        if territory is None:
            raise forms.ValidationError(
                _("No région, département or commune has the code %(code)s."),
                code="unknown", params={"code": value},
            )
        return territory

    def valid_values(self) -> dict[str, Any]:
        self.is_valid()
        return {
            name: self.cleaned_data[name]
            for name in self.fields
            if name in self.cleaned_data and name not in self.errors
        }


class NeedForm(forms.ModelForm):
    """A need's fields; on creation, the organisation that posts it too."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), empty_label=None,
        help_text=_("The organisation that needs help."),
    )

    class Meta:
        model = Need
        fields = ["organisation", "title", "description", "kind", "fragility", "status"]
        help_texts = {
            "description": _("Markdown: **bold**, *italics*, lists, links."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, user=None, organisations=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = organisations
            if getattr(user, "is_platform_admin", False):
                # Admins may post for any organisation: named as in the alliance form (its
                # name, number, SIRET or RNA number), not picked from a huge select.
                self.fields["organisation"] = forms.CharField(
                    label=_("Organisation"), max_length=250,
                    help_text=_("Its exact name, its number (as in the address of its page, "
                                "/acteurs/12/), its SIRET or its RNA number."),
                )
                self.admin_organisations = organisations
            self.fields["status"].choices = [
                (NeedStatus.OPEN, NeedStatus.OPEN.label)
            ]
        self.fields["fragility"].empty_label = _("None in particular")
        self.fields["kind"].choices = HelpKind.choices

    def clean_organisation(self) -> Organisation:
        value = self.cleaned_data["organisation"]
        if isinstance(value, str):  # an admin's text
            return find_organisation(value, self.admin_organisations)
        return value

    def service_data(self) -> dict[str, Any]:
        fields = [name for name in self._meta.fields if name in self.fields]
        return {name: self.cleaned_data[name] for name in fields}


class ContactForm(forms.Form):
    sender = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=Organisation.objects.none(), empty_label=None
    )
    message = forms.CharField(
        label=_("Message"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Introduce your organisation and what you propose. No e-mail address is "
                    "shared before the other side accepts."),
    )

    def __init__(self, *args: Any, senders=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if senders is None:
            del self.fields["sender"]
        else:
            self.fields["sender"].queryset = senders


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your answer"),
        choices=[("accept", _("Accept: share our contact")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    reply = forms.CharField(
        label=_("Reply (optional)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

