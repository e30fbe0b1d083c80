"""Forms of the collection pages; the checks that need the database stay in the services."""

from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from alliances.journeys.models import Session

from .collection_selectors import sessions_curated_by
from .models import Collection, CollectionItem


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Session) -> str:
        start = timezone.localtime(obj.start)
        return f"{obj.cohort.name} — {obj.title} ({formats.date_format(start, 'j F Y')})"


class CollectionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the list is for, how to use it."),
    )
    session = SessionChoiceField(
        label=_("Session"), required=False, queryset=Session.objects.none(),
        empty_label=_("No session"),
        help_text=_("A session of a cohort you animate."),
    )
    is_public = forms.BooleanField(
        label=_("Public"), required=False, initial=True,
        help_text=_("Otherwise only you, the session's cohort and admins see it."),
    )

    def __init__(self, *args: Any, user: Any, collection: Collection | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["session"]
        assert isinstance(field, forms.ModelChoiceField)
        sessions = sessions_curated_by(user)
        if collection is not None and collection.session_id is not None:
            # The session already chosen stays available (an admin may have set it).
            sessions = (sessions | Session.objects.filter(pk=collection.session_id)).distinct()
        field.queryset = sessions.select_related("cohort").order_by("cohort__name", "start", "id")


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False,
        max_length=CollectionItem._meta.get_field("note").max_length,
    )
