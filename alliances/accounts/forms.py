from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from alliances.territories.models import Commune

from .models import User


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=150,
        required=False,
        help_text=_("How other people see you on the platform."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    home_commune = forms.CharField(
        label=_("Home commune (INSEE code)"),
        required=False,
        max_length=5,
        help_text=_(
            "The 5-character INSEE code of your commune, for example 75056 for Paris. "
            "Leave empty if you do not want to say."
        ),
        validators=[
            RegexValidator(
                r"^(\d{5}|2[AaBb]\d{3})$",
                _("An INSEE commune code has 5 characters, for example 75056 or 2A004."),
            )
        ],
        widget=forms.TextInput(attrs={"inputmode": "text", "size": 6, "spellcheck": "false"}),
    )

    @classmethod
    def for_user(cls, user: User, data=None) -> "ProfileForm":
        initial = {"display_name": user.display_name, "home_commune": user.home_commune_id or ""}
        return cls(data=data, initial=initial)

    def clean_home_commune(self) -> Commune | None:
        code = self.cleaned_data["home_commune"].strip().upper()
        if not code:
            return None
        commune = Commune.objects.filter(code=code).first()
        if commune is None:
            raise forms.ValidationError(
                _("No commune has the INSEE code “%(code)s”."), params={"code": code}
            )
        return commune


class AccountDeleteForm(forms.Form):
    email = forms.EmailField(
        label=_("Type your e-mail address to confirm"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if email.strip().lower() != self.user.email.lower():
            raise forms.ValidationError(
                _("This is not the e-mail address of your account; nothing was deleted.")
            )
        return email
