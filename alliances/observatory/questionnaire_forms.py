"""The questionnaire's pages as HTML form fields: what a page posts, and what each field
shows (its value, its error, the ids that tie the error and the hint to it).

The answers are checked by `collection.answers_clean`, not here: the form only reads the
page's questions from the POST (a question's field name is its code) and gives back, on an
error, what the respondent typed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils.formats import number_format

from .collection import Item, Page, Questionnaire
from .models import Question

CHOICE_KINDS = {Question.Kind.SINGLE, Question.Kind.SCALE, Question.Kind.MULTIPLE}


def page_answers(page: Page, data: QueryDict) -> dict[str, Any]:
    """The page's answers as posted: a list for a multiple choice, text otherwise."""
    return {
        item.code: data.getlist(item.code) if item.kind == Question.Kind.MULTIPLE
        else data.get(item.code, "")
        for item in page.items
    }


@dataclass(frozen=True)
class Choice:
    code: str
    label: str
    id: str
    checked: bool


@dataclass(frozen=True)
class Field:
    item: Item
    value: Any  # as stored, or as posted when the page came back with errors
    error: str = ""

    @property
    def id(self) -> str:
        return f"q-{self.item.code}"

    @property
    def hint_id(self) -> str:
        return f"{self.id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def describedby(self) -> str:
        ids = [self.hint_id] if self.item.hint else []
        if self.error:
            ids.append(self.error_id)
        return " ".join(ids)

    @property
    def is_choice(self) -> bool:
        return self.item.kind in CHOICE_KINDS

    @property
    def input_type(self) -> str:
        return "checkbox" if self.item.kind == Question.Kind.MULTIPLE else "radio"

    @property
    def anchor(self) -> str:
        """The element the error summary's link goes to: the first option of a choice."""
        return f"{self.id}-0" if self.is_choice else self.id

    @property
    def choices(self) -> list[Choice]:
        values = self.value if isinstance(self.value, list) else [self.value]
        chosen = {str(v) for v in values if v not in (None, "")}
        return [
            Choice(code, label, f"{self.id}-{n}", code in chosen)
            for n, (code, label) in enumerate(self.item.options)
        ]

    @property
    def bounds(self) -> dict[str, str]:
        """The number field's min and max attributes."""
        return {name: _plain(value) for name, value in
                (("min", self.item.minimum), ("max", self.item.maximum)) if value is not None}

    @property
    def text(self) -> str:
        """The value of a number or text field."""
        if self.value is None:
            return ""
        if isinstance(self.value, float) and self.value.is_integer():
            return str(int(self.value))
        return str(self.value)


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def page_fields(
    page: Page, values: Mapping[str, Any], errors: Mapping[str, str]
) -> list[Field]:
    return [Field(item, values.get(item.code), errors.get(item.code, ""))
            for item in page.items]


def answer_display(item: Item, value: Any) -> str:
    """An answer as the review page shows it ("" when unanswered)."""
    if value in (None, "", []):
        return ""
    labels = item.option_labels
    if item.kind == Question.Kind.MULTIPLE:
        return " ; ".join(labels.get(code, code) for code in value)
    if item.kind in CHOICE_KINDS:
        return labels.get(str(value), str(value))
    if item.kind == Question.Kind.NUMBER and isinstance(value, (int, float)):
        return number_format(value, force_grouping=True)
    return str(value)


@dataclass(frozen=True)
class ReviewRow:
    item: Item
    answer: str
    error: str
    anchor: str


@dataclass(frozen=True)
class ReviewPage:
    page: Page
    url: str
    rows: list[ReviewRow]


def review_pages(
    questionnaire: Questionnaire, answers: Mapping[str, Any], errors: Mapping[str, str], *,
    page_url: Callable[[int], str],
) -> list[ReviewPage]:
    return [
        ReviewPage(page, page_url(page.number), [
            ReviewRow(item, answer_display(item, answers.get(item.code)),
                      errors.get(item.code, ""), Field(item, None).anchor)
            for item in page.items
        ])
        for page in questionnaire.pages
    ]
