"""Forms of the discussions; the rules themselves are in services.py."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from alliances.core.uploads import DOCUMENTS_AND_IMAGES, validate_upload

from .models import BODY_MAX_CHARS, MAX_ATTACHMENTS, TITLE_MAX_CHARS
from .services import REASON_MAX_CHARS

MAX_BYTES = 10 * 1024 * 1024
ACCEPT = ",".join(f".{ext}" for ext in sorted(DOCUMENTS_AND_IMAGES))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to three files, each checked by size and by content (a renamed .exe is refused)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [single(item, initial) for item in items if item]
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(
                _("%(max)d attached files at most per message.") % {"max": MAX_ATTACHMENTS},
                code="too_many",
            )
        errors = []
        for upload in files:
            try:
                validate_upload(upload, allowed=DOCUMENTS_AND_IMAGES, max_bytes=MAX_BYTES)
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)
        return files


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=BODY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown: **bold**, *italics*, lists, links. Mention someone with @handle."),
        error_messages={"required": _("The message is empty.")},
    )
    attachments = AttachmentsField(
        label=_("Attached files (optional)"),
        required=False,
        help_text=_("Up to 3 documents or images, 10 MB each."),
        widget=MultipleFileInput(attrs={"accept": ACCEPT}),
    )


class ThreadForm(PostForm):
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_CHARS,
        error_messages={"required": _("Give the discussion a title.")},
    )
    field_order = ["title", "body", "attachments"]


class PostEditForm(forms.Form):
    body = PostForm.base_fields["body"]


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to the author and the animation team)"),
        max_length=REASON_MAX_CHARS,
        error_messages={"required": _("Say why the message is hidden.")},
    )
