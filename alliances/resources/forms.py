"""The form of a resource (propose and edit). Choices come from the database when the form
is made: tags from the shared vocabularies, the référentiel as a numbered tree, the steps
of the public programmes, the organisations already chosen. The services check the rest
(the département in its region, the kind) and their errors land on the fields."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alliances.actors.models import Organisation
from alliances.core.uploads import DOCUMENTS_AND_IMAGES, validate_upload
from alliances.core.vocabularies import TagFamily, tag_families
from alliances.journeys.models import ProgrammeStep
from alliances.territories.models import Departement, Region

from .models import Licence, Resource, ResourceKind
from .selectors import referentiel_flat

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES = 10
MAX_LINKS = 20
MAX_ORGANISATIONS = 30
ACCEPT = ",".join(f".{ext}" for ext in sorted(DOCUMENTS_AND_IMAGES))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files, each checked by size and by content (a renamed .exe is refused)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [single(item, initial) for item in items if item]
        if len(files) > MAX_FILES:
            raise ValidationError(
                _("%(max)d files at most at a time.") % {"max": MAX_FILES}, code="too_many"
            )
        errors = []
        for upload in files:
            try:
                validate_upload(upload, allowed=DOCUMENTS_AND_IMAGES, max_bytes=MAX_FILE_BYTES)
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)
        return files


class IdListField(forms.Field):
    """A list of ids from repeated inputs (checkboxes found by a search)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        try:
            return sorted({int(v) for v in value if str(v).strip()})
        except (TypeError, ValueError):
            raise ValidationError(_("Choose from the list."), code="invalid") from None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class LinkForm(forms.Form):
    url = forms.URLField(
        label=_("Address"), max_length=500, required=False, assume_scheme="https",
        error_messages={"invalid": _("Enter a full web address (https://…).")},
    )
    title = forms.CharField(label=_("Link text"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("title") and not data.get("url") and "url" not in self.errors:
            self.add_error("url", _("Give the address of this link."))
        return data


LinkFormSet = forms.formset_factory(
    LinkForm, extra=2, max_num=MAX_LINKS, validate_max=True, absolute_max=MAX_LINKS
)


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "—"), *ResourceKind.choices],
        error_messages={"required": _("Choose the kind of resource."),
                        "invalid_choice": _("Choose a kind from the list.")},
    )
    title = forms.CharField(
        label=_("Title"), max_length=250,
        error_messages={"required": _("Give the resource a title.")},
    )
    summary = forms.CharField(
        label=_("Summary"), max_length=1000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Two or three sentences: what it is, for whom."),
    )
    body = forms.CharField(
        label=_("Text"), required=False, max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Markdown: **bold**, *italic*, lists, links. HTML is shown as text."),
    )
    authors = forms.CharField(
        label=_("Authors"), max_length=300, required=False,
        help_text=_("The people who wrote or made it, as they should be credited."),
    )
    issued_on = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    licence = forms.ChoiceField(label=_("Licence"), choices=Licence.choices,
                                initial=Licence.CC_BY_SA)
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.order_by("name"), required=False,
        empty_label="—",
    )
    departement = forms.ModelChoiceField(
        label=_("Département"), queryset=Departement.objects.order_by("code"), required=False,
        empty_label="—",
    )
    tags = forms.MultipleChoiceField(label=_("Tags"), required=False,
                                     widget=forms.CheckboxSelectMultiple)
    nodes = forms.TypedMultipleChoiceField(
        label=_("Référentiel"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    steps = forms.TypedMultipleChoiceField(
        label=_("Parcours steps"), required=False, coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    organisations = IdListField(label=_("Organisations"), required=False)
    files = FilesField(
        label=_("Add files"), required=False, widget=MultipleFileInput(attrs={"accept": ACCEPT}),
    )
    remove_files = forms.TypedMultipleChoiceField(
        label=_("Remove these files"), required=False, coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    base_version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("What did you change? (optional)"), max_length=300, required=False,
        help_text=_("Shown in the list of versions."),
    )

    def __init__(self, *args: Any, user, resource: Resource | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        self.resource = resource
        # Here, not on the class: the size is written in the language of the request.
        self.fields["files"].help_text = gettext(
            "PDF, office documents or images, %(size)s at most each."
        ) % {"size": filesizeformat(MAX_FILE_BYTES)}
        self.families = [
            (TagFamily(family).label,
             [(f"{family}:{code}", label) for code, label in codes.items()])
            for family, codes in tag_families().items()
        ]
        self.fields["tags"].choices = self.families  # type: ignore[attr-defined]
        self.tree = referentiel_flat()
        self.fields["nodes"].choices = [  # type: ignore[attr-defined]
            (item.pk, f"{item.number} {item.title}") for item in self.tree
        ]
        steps = list(
            ProgrammeStep.objects.filter(
                Q(phase__programme__is_public=True)
                | Q(pk__in=resource.steps.values("pk") if resource else [])
            )
            .select_related("phase__programme")
            .order_by("phase__programme__name", "phase__position", "position")
        )
        grouped: dict[str, list[tuple[int, str]]] = {}
        for step in steps:
            grouped.setdefault(step.phase.programme.name, []).append(
                (step.pk, f"{step.phase.name} — {step.title}")
            )
        self.fields["steps"].choices = list(grouped.items())  # type: ignore[attr-defined]
        files = list(resource.files.all()) if resource else []
        self.existing_files = files
        self.fields["remove_files"].choices = [  # type: ignore[attr-defined]
            (f.pk, f.name) for f in files
        ]
        if resource is None:
            del self.fields["remove_files"]
            del self.fields["note"]
            del self.fields["base_version"]

    @classmethod
    def initial_for(cls, resource: Resource) -> dict[str, Any]:
        return {
            "base_version": resource.version,
            "kind": resource.kind,
            "title": resource.title,
            "summary": resource.summary,
            "body": resource.body,
            "authors": resource.authors,
            "issued_on": resource.issued_on,
            "licence": resource.licence,
            "region": resource.region_id,
            "departement": resource.departement_id,
            "tags": [f"{t.family}:{t.code}" for t in resource.tags.all()],
            "nodes": list(resource.nodes.values_list("pk", flat=True)),
            "steps": list(resource.steps.values_list("pk", flat=True)),
            "organisations": list(resource.organisations.values_list("pk", flat=True)),
        }

    @classmethod
    def initial_from(cls, data) -> dict[str, Any]:
        """A posted form's values as initial values (to show it again unchecked)."""
        many = {"tags", "nodes", "steps", "organisations", "remove_files"}
        return {
            name: data.getlist(name) if name in many else data.get(name)
            for name in cls.base_fields
            if name != "files" and name in data
        }

    def _organisations_allowed(self):
        allowed = Q(is_public=True) | Q(memberships__user=self.user)
        if self.resource is not None:
            allowed |= Q(resources=self.resource)
        return Organisation.objects.filter(allowed)

    def clean_organisations(self) -> list[Organisation]:
        ids = self.cleaned_data["organisations"]
        if len(ids) > MAX_ORGANISATIONS:
            raise ValidationError(
                _("%(max)d organisations at most.") % {"max": MAX_ORGANISATIONS}
            )
        found = list(self._organisations_allowed().filter(pk__in=ids).distinct().order_by("name"))
        if len(found) != len(ids):
            raise ValidationError(_("Choose organisations from the directory."))
        return found

    def selected_organisations(self) -> list[Organisation]:
        """The organisations to show checked: those posted, or the resource's."""
        if self.is_bound:
            raw = self.data.getlist("organisations") if hasattr(self.data, "getlist") else []
            ids = [int(v) for v in raw if str(v).isdigit()][:MAX_ORGANISATIONS]
        else:
            ids = list(self.initial.get("organisations", []))
        if not ids:
            return []
        return list(
            self._organisations_allowed().filter(pk__in=ids).distinct().order_by("name")
        )

    def tag_groups(self) -> list[tuple[str, list]]:
        """The tag checkboxes grouped by family, for the template."""
        boxes = {box.data["value"]: box for box in self["tags"]}
        return [
            (label, [boxes[value] for value, _label in choices if value in boxes])
            for label, choices in self.families
        ]

    def step_groups(self) -> list[tuple[str, list]]:
        boxes = {int(box.data["value"]): box for box in self["steps"]}
        return [
            (programme, [boxes[pk] for pk, _label in choices if pk in boxes])
            for programme, choices in self.fields["steps"].choices  # type: ignore[attr-defined]
        ]

    def node_boxes(self) -> list[tuple[Any, Any]]:
        """(tree item, checkbox) in reading order."""
        boxes = {int(box.data["value"]): box for box in self["nodes"]}
        return [(item, boxes[item.pk]) for item in self.tree]

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the services take it."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"],
            "summary": data["summary"],
            "body": data["body"],
            "authors": data["authors"],
            "issued_on": data["issued_on"],
            "licence": data["licence"],
            "region": data["region"],
            "departement": data["departement"],
            "tags": [tuple(value.split(":", 1)) for value in data["tags"]],
            "nodes": data["nodes"],
            "steps": data["steps"],
            "organisations": data["organisations"],
        }
