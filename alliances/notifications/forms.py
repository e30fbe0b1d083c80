"""The digest preference form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DigestFrequency


class DigestPreferenceForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Send me my notifications by e-mail"),
        choices=DigestFrequency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how often you want e-mails.")},
    )
