"""Forms of the co-development pages; the rules themselves are in services.py."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from alliances.lib import codev

from .models import ACTION_TITLE_MAX_CHARS
from .steps import step_name


class RoundCreateForm(forms.Form):
    client = forms.TypedChoiceField(label=_("Client"), coerce=int)
    problem = forms.CharField(
        label=_("Problem (optional)"),
        max_length=200,
        required=False,
        help_text=_("A few words the group will see at the top of the round."),
    )

    consultants = forms.TypedMultipleChoiceField(
        label=_("Consultants"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "None ticked: those marked present, else those registered, else every participant."
        ),
    )

    def __init__(self, *args, participants=(), peers=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["client"]).choices = [
            ("", _("Choose a participant"))
        ] + [(user.pk, str(user)) for user in participants]
        if peers:
            cast(forms.ChoiceField, self.fields["consultants"]).choices = [
                (user.pk, str(user)) for user in peers
            ]
        else:
            del self.fields["consultants"]


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=ACTION_TITLE_MAX_CHARS, required=False)
    due = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


ActionFormSet = forms.formset_factory(ActionForm, extra=0, max_num=20, absolute_max=20)


class LearningForm(forms.Form):
    text = forms.CharField(
        label=_("What I learned"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class TimeboxesForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for number, step in enumerate(codev.STEPS, start=1):
            self.fields[step.code] = forms.IntegerField(
                label=_("Step %(number)d: %(name)s (minutes)")
                % {"number": number, "name": step_name(step)},
                min_value=codev.MIN_MINUTES,
                max_value=codev.MAX_MINUTES,
            )
