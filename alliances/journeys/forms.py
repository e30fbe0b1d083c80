"""Forms of the parcours pages; the checks that need the database stay in the services."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.accounts.models import User
from alliances.actors.models import Organisation
from alliances.core.uploads import DOCUMENTS_AND_IMAGES, validate_upload
from alliances.territories.models import Commune, Departement

from .models import (
    Cohort,
    CohortPhase,
    CohortRole,
    CohortStatus,
    CohortVisibility,
    PilotTerritory,
    Programme,
    SessionMode,
    StepCategory,
    StepKind,
)
from .services import PARIS


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
        label=_("Role in the cohort"),
        choices=CohortRole.choices,
        initial=CohortRole.PARTICIPANT,
    )
    pilot_territory = forms.ModelChoiceField(
        label=_("Pilot territory"),
        required=False,
        queryset=PilotTerritory.objects.none(),
        empty_label=_("No pilot territory"),
        help_text=_("For participants: the team they join."),
    )

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        territories = self.fields["pilot_territory"]
        assert isinstance(territories, forms.ModelChoiceField)
        territories.queryset = cohort.pilot_territories.order_by("name", "id")


# --- The animateur's pages: cohort creation, settings, teams, sessions, supports ---

MATERIAL_MAX_BYTES = 20 * 1024 * 1024
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ParisDateTimeField(forms.DateTimeField):
    """A `datetime-local` input read and shown as Europe/Paris wall-clock time."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)
    input_formats = [DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

    def to_python(self, value: Any) -> datetime.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value
        for fmt in self.input_formats:
            try:
                naive = datetime.datetime.strptime(str(value).strip(), fmt)  # noqa: DTZ007
            except ValueError:
                continue
            aware = naive.replace(tzinfo=PARIS)
            if aware.astimezone(datetime.UTC).astimezone(PARIS).replace(tzinfo=None) != naive:
                # 02:00–02:59 on the last Sunday of March: the clocks jump to 03:00.
                raise forms.ValidationError(
                    _(
                        "This time does not exist in Paris (the clocks move forward to summer "
                        "time): choose another one."
                    ),
                    code="nonexistent",
                )
            return aware
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            return timezone.localtime(value, PARIS).strftime(DATETIME_LOCAL)
        return value


class CohortCreateForm(forms.Form):
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.filter(is_public=True), empty_label=None
    )
    name = forms.CharField(label=_("Name of the cohort"), max_length=200)
    start = forms.DateField(
        label=_("Start"),
        widget=DateInput(),
        help_text=_("Every date of the programme is computed from it; you can move them later."),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=CohortStatus.choices, initial=CohortStatus.BROUILLON
    )
    visibility = forms.ChoiceField(
        label=_("Visibility"),
        choices=CohortVisibility.choices,
        initial=CohortVisibility.PRIVATE,
        help_text=_("A private cohort is seen by its members only."),
    )


class CohortSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name of the cohort"), max_length=200)
    status = forms.ChoiceField(label=_("Status"), choices=CohortStatus.choices)
    visibility = forms.ChoiceField(label=_("Visibility"), choices=CohortVisibility.choices)
    end = forms.DateField(label=_("End"), widget=DateInput())


class PhaseDatesForm(forms.Form):
    start = forms.DateField(label=_("Start"), widget=DateInput())
    end = forms.DateField(label=_("End"), widget=DateInput())


class AssignmentDueForm(forms.Form):
    due = forms.DateField(label=_("Due date"), widget=DateInput())


class CohortShiftForm(forms.Form):
    days = forms.IntegerField(
        label=_("Number of days"),
        min_value=-366,
        max_value=366,
        help_text=_("Negative to move earlier. Sessions keep their time of day."),
    )

    def clean_days(self) -> int:
        days = self.cleaned_data["days"]
        if days == 0:
            raise forms.ValidationError(_("Give a number of days other than zero."))
        return days


class PilotTerritoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    commune = forms.CharField(
        label=_("Commune (INSEE code)"),
        max_length=5,
        required=False,
        help_text=_("Five characters, e.g. 94028 for Créteil. Optional."),
    )
    departement = forms.CharField(
        label=_("Département (code)"),
        max_length=3,
        required=False,
        help_text=_("E.g. 94 or 2A. Optional; deduced from the commune when given."),
    )
    organisation = forms.CharField(
        label=_("Catalyst organisation (SIREN)"),
        max_length=9,
        required=False,
        help_text=_("The nine digits of an organisation of the directory. Optional."),
    )

    def clean_commune(self) -> Commune | None:
        code = self.cleaned_data["commune"].strip().upper()
        if not code:
            return None
        commune = Commune.objects.filter(code=code).first()
        if commune is None:
            raise forms.ValidationError(_("No commune has this INSEE code."))
        return commune

    def clean_departement(self) -> Departement | None:
        code = self.cleaned_data["departement"].strip().upper()
        if not code:
            return None
        departement = Departement.objects.filter(code=code).first()
        if departement is None:
            raise forms.ValidationError(_("No département has this code."))
        return departement

    def clean_organisation(self) -> Organisation | None:
        siren = self.cleaned_data["organisation"].replace(" ", "")
        if not siren:
            return None
        organisation = Organisation.objects.filter(siren=siren).order_by("pk").first()
        if organisation is None:
            raise forms.ValidationError(_("No organisation of the directory has this SIREN."))
        return organisation

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        commune, departement = data.get("commune"), data.get("departement")
        if commune and departement and commune.departement_id != departement.pk:
            self.add_error("departement", _("This commune is in another département."))
        return data


class MemberForm(forms.Form):
    """A member's role and team; the territories are read once for all the members' forms."""

    role = forms.ChoiceField(label=_("Role"), choices=CohortRole.choices)
    pilot_territory = forms.TypedChoiceField(
        label=_("Pilot territory"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, territories: list[PilotTerritory], **kwargs: Any) -> None:
        initial = kwargs.get("initial") or {}
        if isinstance(initial.get("pilot_territory"), PilotTerritory):
            kwargs["initial"] = {**initial, "pilot_territory": initial["pilot_territory"].pk}
        super().__init__(*args, **kwargs)
        self._territories = {t.pk: t for t in territories}
        field = self.fields["pilot_territory"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("No pilot territory"))] + [(t.pk, t.name) for t in territories]

    def clean_pilot_territory(self) -> PilotTerritory | None:
        pk = self.cleaned_data.get("pilot_territory")
        return None if pk is None else self._territories[pk]


class SessionForm(forms.Form):
    kind = forms.ModelChoiceField(
        label=_("Kind"), queryset=StepKind.objects.filter(category=StepCategory.SESSION)
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    phase = forms.ModelChoiceField(
        label=_("Phase"),
        required=False,
        queryset=CohortPhase.objects.none(),
        empty_label=_("No phase"),
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=SessionMode.choices)
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    link = forms.URLField(
        label=_("Online link"),
        required=False,
        assume_scheme="https",
        help_text=_("Shown to the members of the cohort only."),
    )
    start = ParisDateTimeField(label=_("Start"), help_text=_("Paris time."))
    end = ParisDateTimeField(label=_("End"), help_text=_("Paris time."))
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **bold**, *italics*, lists with -, links."),
    )
    capacity = forms.IntegerField(
        label=_("Capacity"),
        required=False,
        min_value=1,
        help_text=_("Empty: no limit."),
    )
    speakers = forms.ModelMultipleChoiceField(
        label=_("Speakers (members of the cohort)"),
        required=False,
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    speakers_text = forms.CharField(
        label=_("Outside speakers"),
        max_length=300,
        required=False,
        help_text=_("Speakers without an account, e.g. a witness from another territory."),
    )
    replay_url = forms.URLField(
        label=_("Replay link"),
        required=False,
        assume_scheme="https",
        help_text=_("Shown once the session is over."),
    )

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        phase = self.fields["phase"]
        assert isinstance(phase, forms.ModelChoiceField)
        phase.queryset = cohort.phases.all()
        speakers = self.fields["speakers"]
        assert isinstance(speakers, forms.ModelMultipleChoiceField)
        speakers.queryset = User.objects.filter(cohort_memberships__cohort=cohort).order_by(
            "display_name", "pk"
        )


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title of the material"), max_length=200)
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, office document or image, 20 MB at most."),
    )
    url = forms.URLField(label=_("Or a link"), required=False, assume_scheme="https")

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload:
            validate_upload(upload, allowed=DOCUMENTS_AND_IMAGES, max_bytes=MATERIAL_MAX_BYTES)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        has_file, has_url = bool(data.get("file")), bool(data.get("url"))
        if "file" in self.errors or "url" in self.errors:
            return data
        if has_file == has_url:
            self.add_error("file", _("Give either a file or a link, not both."))
        return data
