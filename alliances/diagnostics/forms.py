"""Forms of the bilan, cible and trajectoire pages; the checks that need the database
(level ranges, versions, the team, the directory) stay in the services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ActionStatus, BilanMoment, Criterion, Horizon, PlanVisibility


class IdListField(forms.Field):
    """A list of ids from repeated inputs (checkboxes, a multiple select)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        try:
            return sorted({int(v) for v in value if str(v).strip()})
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Choose from the list."), code="invalid") from None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class BilanCreateForm(forms.Form):
    moment = forms.ChoiceField(label=_("Moment"), choices=BilanMoment.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput())


class EntryForm(forms.Form):
    """One criterion of a bilan: the level is checked against the version by the service."""

    level = forms.IntegerField(label=_("Level"), required=False)
    evidence = forms.CharField(
        label=_("Evidence"), required=False, max_length=5000, widget=forms.Textarea
    )
    organisations = IdListField(label=_("Organisations as evidence"), required=False)
    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class TargetForm(forms.Form):
    """The cible: one optional level per criterion of the latest version, at a horizon."""

    horizon = forms.ChoiceField(label=_("Horizon"), choices=Horizon.choices)

    def __init__(self, *args: Any, criteria: list[Criterion], ranks: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("no target"))] + [(str(r), str(r)) for r in ranks]
        self.criteria = criteria
        for criterion in criteria:
            self.fields[criterion.code] = forms.TypedChoiceField(
                label=criterion.name,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
            )

    def levels(self) -> dict[str, int | None]:
        return {c.code: self.cleaned_data.get(c.code) for c in self.criteria}


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    partners = IdListField(label=_("Partner organisations"), required=False)
    start = forms.DateField(label=_("Start"), widget=DateInput())
    due = forms.DateField(label=_("Due date"), widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    criteria = forms.TypedMultipleChoiceField(
        label=_("Criteria it moves"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    revision = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, owners: list, criteria: list[Criterion], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.TypedChoiceField)
        # Any id is accepted here: the service says whether the owner is of the team.
        owner.choices = [("", _("nobody yet"))] + [(str(u.pk), str(u)) for u in owners]
        owner.valid_value = lambda value: True  # type: ignore[method-assign]
        criteria_field = self.fields["criteria"]
        assert isinstance(criteria_field, forms.TypedMultipleChoiceField)
        criteria_field.choices = [(str(c.pk), c.name) for c in criteria]
        criteria_field.valid_value = lambda value: True  # type: ignore[method-assign]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, due = data.get("start"), data.get("due")
        if start and due and due < start:
            self.add_error("due", _("The due date cannot be before the start."))
        return data


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    done = forms.BooleanField(label=_("Reached"), required=False)


class VisibilityForm(forms.Form):
    visibility = forms.ChoiceField(
        label=_("Shared with"), choices=PlanVisibility.choices, widget=forms.RadioSelect
    )
