"""Forms of the alliances registry: the list's filters, the alliance with its partners, and
the follow-up (a dated note, an indicator measure).

Organisations and territories are typed, not picked from a huge select: the fields take an
identifier (a number, SIRET, SIREN, RNA, INSEE code) or a name, and the page offers
suggestions in a <datalist> that htmx fills as one types; without JavaScript the typed
value is enough.
"""

import re
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alliances.actors.models import Fragility, Organisation
from alliances.diagnostics.models import Action, Plan
from alliances.journeys.models import CohortRole
from alliances.lib.identifiers import normalise
from alliances.lib.text import fold
from alliances.resources.models import Resource
from alliances.territories.models import Commune, Departement

from .models import (
    Alliance,
    AllianceForm,
    AllianceStatus,
    AllianceType,
    IndicatorKind,
    PartnerRole,
)
from .territory import COMMUNE_CODE, DEPARTEMENT_CODE, Territory, parse_territory

# "123 — Name (Commune)": the suggestion's value starts with the identifier.
LEADING_KEY = re.compile(r"^\s*([0-9AB]{2,5}|\d+)\s+—")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class AllianceFilterForm(forms.Form):
    """The GET filters of the list; an invalid field is ignored with a notice, not fatal."""

    q = forms.CharField(label=_("Title"), required=False, max_length=100)
    territoire = forms.CharField(
        label=_("Territory"), required=False, max_length=30,
        help_text=_("A département (35), a commune (35238) or a region (region:53)."),
    )
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *AllianceType.choices]
    )
    forme = forms.ChoiceField(
        label=_("Form"), required=False, choices=[("", _("All forms")), *AllianceForm.choices]
    )
    statut = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("All statuses")), *AllianceStatus.choices],
    )
    fragilite = forms.ModelChoiceField(
        label=_("Fragility domain"), required=False, queryset=Fragility.objects.all(),
        empty_label=_("All domains"),
    )
    organisation = forms.IntegerField(
        label=_("Organisation (number)"), required=False, min_value=1,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.input_type = "search"

    def clean_territoire(self) -> Territory | None:
        value = self.cleaned_data["territoire"].strip()
        if not value:
            return None
        territory = parse_territory(value)
        if territory is None:
            raise forms.ValidationError(
                _("No territory has the code %(code)s."), params={"code": value}
            )
        return territory

    def clean_organisation(self) -> Organisation | None:
        pk = self.cleaned_data["organisation"]
        if pk is None:
            return None
        organisation = Organisation.objects.filter(pk=pk).only("id", "name", "is_public").first()
        if organisation is None:
            raise forms.ValidationError(_("No organisation has this number."))
        return organisation

    def valid_values(self) -> dict[str, Any]:
        self.is_valid()
        return {
            name: self.cleaned_data[name]
            for name in self.fields
            if name in self.cleaned_data and name not in self.errors
        }


def organisations_for(user, alliance: Alliance | None = None) -> QuerySet[Organisation]:
    """The organisations a person may name as partners: the public ones, their own, and
    those already partners of the alliance being edited (admins: all)."""
    queryset = Organisation.objects.all()
    if getattr(user, "is_platform_admin", False):
        return queryset
    condition = Q(is_public=True) | Q(memberships__user=user)
    if alliance is not None and alliance.pk:
        condition |= Q(partnerships__alliance=alliance)
    return queryset.filter(condition).distinct()


def find_organisation(value: str, queryset: QuerySet[Organisation]) -> Organisation:
    """The one organisation a typed value names, or a ValidationError saying why not."""
    value = value.strip()
    match = LEADING_KEY.match(value)
    key = normalise(match.group(1) if match else value)
    found: list[Organisation] = []
    if key.isdigit() and len(key) == 14:
        found = list(queryset.filter(siret=key)[:2])
    elif key.isdigit() and len(key) == 9:
        found = list(queryset.filter(siren=key)[:2])
    elif re.fullmatch(r"W[0-9A-Z]{9}", key.upper()):
        found = list(queryset.filter(rna=key.upper())[:2])
    if not found and key.isdigit() and len(key) <= 9:
        found = list(queryset.filter(pk=int(key))[:2])
    if not found:
        found = list(queryset.filter(search_name=fold(value))[:2])
    if not found:
        raise forms.ValidationError(
            _("No organisation found for “%(value)s”: type its name and pick a suggestion, "
              "or give its number, SIRET or RNA number."),
            code="unknown", params={"value": value},
        )
    if len(found) > 1:
        raise forms.ValidationError(
            _("Several organisations match “%(value)s”: give its number, SIRET or RNA."),
            code="ambiguous", params={"value": value},
        )
    return found[0]


def find_territory(value: str) -> Commune | Departement:
    """A commune (INSEE code or unique name) or a département (code) from a typed value."""
    value = value.strip()
    match = LEADING_KEY.match(value)
    code = (match.group(1) if match else value).upper()
    territory: Territory | None = None
    if COMMUNE_CODE.match(code) or DEPARTEMENT_CODE.match(code):
        territory = parse_territory(code)
    elif code.startswith(("COMMUNE:", "DEPARTEMENT:")):
        territory = parse_territory(value.lower().split(":")[0] + ":" + code.split(":")[1])
    else:
        communes = list(
            Commune.objects.filter(search_name=fold(value)).select_related("departement")[:6]
        )
        if len(communes) > 1:
            raise forms.ValidationError(
                _("Several communes are named “%(value)s”: give the INSEE code (%(codes)s)."),
                code="ambiguous",
                params={"value": value, "codes": ", ".join(c.code for c in communes)},
            )
        territory = communes[0] if communes else None
    if not isinstance(territory, Commune | Departement):
        raise forms.ValidationError(
            _("No commune or département found for “%(value)s”: give an INSEE code (35238), "
              "a département code (35) or the commune's name."),
            code="unknown", params={"value": value},
        )
    return territory


def actions_for(user) -> QuerySet[Action]:
    """Trajectoire actions a person may link: those of the plans they may change (their own,
    their pilot territory's, their cohorts' as animateur; admins: all)."""
    queryset = Action.objects.select_related("plan").order_by("plan__name", "start", "pk")
    if getattr(user, "is_platform_admin", False):
        return queryset
    plans = Plan.objects.filter(
        Q(owner=user)
        | Q(
            pilot_territory__members__user=user,
            pilot_territory__members__role=CohortRole.PARTICIPANT,
        )
        | Q(
            pilot_territory__cohort__members__user=user,
            pilot_territory__cohort__members__role=CohortRole.ANIMATEUR,
        )
    ).values("pk")
    return queryset.filter(plan__in=plans)


class PartnerForm(forms.Form):
    organisation = forms.CharField(
        label=_("Organisation"), required=False, max_length=250,
        help_text=_("Name (then pick a suggestion), number, SIRET or RNA number."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=PartnerRole.choices,
                             initial=PartnerRole.PARTENAIRE)

    def __init__(self, *args: Any, organisations: QuerySet[Organisation] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = organisations if organisations is not None else (
            Organisation.objects.none()
        )
        self.fields["organisation"].widget.attrs.update(
            {"list": "organisation-choices", "autocomplete": "off", "class": "partner-search"}
        )

    def clean_organisation(self) -> Organisation | None:
        value = self.cleaned_data["organisation"]
        if not value.strip():
            return None
        return find_organisation(value, self.organisations)


class BasePartnerFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, organisations: QuerySet[Organisation], user,
                 **kwargs: Any) -> None:
        self.organisations = organisations
        self.user = user
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"organisations": self.organisations}

    def partners(self) -> list[tuple[Organisation, str]]:
        return [
            (form.cleaned_data["organisation"], form.cleaned_data["role"])
            for form in self.forms
            if form.cleaned_data.get("organisation") is not None
        ]

    def clean(self) -> None:
        if any(self.errors):
            return
        if getattr(self.user, "is_platform_admin", False):
            return
        mine = set(self.user.memberships.values_list("organisation_id", flat=True))
        if not any(org.pk in mine for org, _role in self.partners()):
            raise forms.ValidationError(
                _("One of the partners must be an organisation you are a member of.")
            )


PartnerFormSet = forms.formset_factory(
    PartnerForm, formset=BasePartnerFormSet, extra=0, min_num=2, max_num=12,
    validate_min=False,
)


class AllianceEditForm(forms.ModelForm):
    territory = forms.CharField(
        label=_("Territory"), max_length=250,
        help_text=_("A commune (INSEE code such as 35238, or its name) or a whole "
                    "département (its code, such as 35)."),
    )
    fragilities = forms.ModelMultipleChoiceField(
        label=_("Fragilities addressed"), required=False, queryset=Fragility.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    resources = forms.ModelMultipleChoiceField(
        label=_("Linked resources"), required=False,
        queryset=Resource.objects.published().order_by("title"),
        help_text=_("Published resources of the resource centre."),
    )
    actions = forms.ModelMultipleChoiceField(
        label=_("Linked trajectoire actions"), required=False, queryset=Action.objects.none(),
        help_text=_("Actions of the trajectoires you take part in."),
    )

    class Meta:
        model = Alliance
        fields = [
            "title", "type", "form", "fragilities", "territory", "start_date", "end_date",
            "status", "money_eur", "skill_days", "goods", "goods_value_eur", "description",
            "is_public", "resources", "actions",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "description": _("Markdown: **bold**, *italics*, lists, links."),
            "is_public": _("A private alliance is seen only by its partners' members."),
        }

    def __init__(self, *args: Any, user, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actions = actions_for(user)
        if self.instance.pk:
            actions = (actions | Action.objects.filter(alliances=self.instance)).distinct()
            self.initial.setdefault("territory", territory_label(self.instance))
        self.fields["actions"].queryset = actions
        self.fields["actions"].label_from_instance = lambda a: f"{a.plan.name} — {a.title}"
        self.fields["territory"].widget.attrs.update({
            "list": "territory-choices", "autocomplete": "off",
            "hx-get": reverse("partnerships:create"), "hx-trigger": "input changed delay:250ms",
            "hx-target": "#territory-choices", "hx-swap": "innerHTML",
            "hx-sync": "this:replace",
        })
        for name in ("money_eur", "skill_days", "goods_value_eur"):
            self.fields[name].widget.attrs["inputmode"] = "decimal"

    def validate_constraints(self) -> None:
        """Left to the services: they check the same rules (end after start, no negative
        amount) and say which field is wrong, where the database's constraint names only
        itself."""

    def clean_territory(self) -> Commune | Departement:
        return find_territory(self.cleaned_data["territory"])

    def service_data(self) -> dict[str, Any]:
        data = {
            name: self.cleaned_data[name]
            for name in self._meta.fields
            if name not in ("fragilities", "resources", "actions", "territory")
        }
        territory = self.cleaned_data["territory"]
        if isinstance(territory, Commune):
            data["commune"], data["departement"] = territory, territory.departement
        else:
            data["commune"], data["departement"] = None, territory
        return data


def territory_label(alliance: Alliance) -> str:
    if alliance.commune_id:
        return f"{alliance.commune_id} — {alliance.commune.name}"
    if alliance.departement_id:
        return f"{alliance.departement_id} — {alliance.departement.name}"
    return ""


class NoteForm(forms.Form):
    prefix = "note"  # the page has two forms with a date: distinct ids
    date = forms.DateField(label=_("Date"), widget=DateInput())
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=5000)


class IndicatorForm(forms.Form):
    prefix = "indicator"
    kind = forms.ChoiceField(label=_("Indicator"), choices=IndicatorKind.choices)
    label = forms.CharField(label=_("Label (for “other”)"), required=False, max_length=100)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value"].widget.attrs["inputmode"] = "decimal"
