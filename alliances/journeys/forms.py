"""Forms of the parcours pages; the checks that need the database stay in the services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Cohort, CohortRole, PilotTerritory


class InvitationForm(forms.Form):
    """The animateur's invitation box; the addresses are parsed by `cohort_invite`."""

    emails = forms.CharField(
        label=_("E-mail addresses"),
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_("One per line, or separated by commas or semicolons."),
        # A whole promotion fits easily; the limit keeps a pasted directory out.
        max_length=20_000,
    )
    role = forms.ChoiceField(
        label=_("Role in the cohort"), choices=CohortRole.choices,
        initial=CohortRole.PARTICIPANT,
    )
    pilot_territory = forms.ModelChoiceField(
        label=_("Pilot territory"), required=False, queryset=PilotTerritory.objects.none(),
        empty_label=_("No pilot territory"),
        help_text=_("For participants: the team they join."),
    )

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        territories = self.fields["pilot_territory"]
        assert isinstance(territories, forms.ModelChoiceField)
        territories.queryset = cohort.pilot_territories.order_by("name", "id")
