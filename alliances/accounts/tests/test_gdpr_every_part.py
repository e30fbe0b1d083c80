"""A person's data across every part of the platform, on the demo (which gives its
participant a cohort, attendance, work, a co-development round, a bilan and a trajectoire,
alliances, needs and contact requests, resources and discussion posts), plus a survey
response sent while signed in and a draft resource: the export holds all of it and no one
else's; deleting the account leaves the person's name and address nowhere in the database."""

import json

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from alliances.accounts.models import User
from alliances.core.demo_data import demo_load
from alliances.observatory import collection
from alliances.observatory.tests.test_questionnaire_services import answer_all, collecting_wave
from alliances.resources.models import Resource, ResourceStatus
from alliances.resources.services import resource_create

pytestmark = pytest.mark.django_db

EXPECTED = {  # part → the sections that must not be empty for the demo participant
    "accounts": ["email_addresses"],
    "actors": ["memberships"],
    "journeys": ["cohorts", "registrations", "attendance", "submissions"],
    "codev": ["rounds_as_client", "notes", "action_plan"],
    "diagnostics": ["bilans_started", "actions_owned"],
    "observatory": ["survey_responses"],
    "partnerships": ["follow_up_notes"],
    "needs": ["needs", "contact_requests"],
    "resources": ["resources_proposed", "edits"],
    "discussions": ["posts", "threads_followed"],
    "notifications": ["notifications"],
}


@pytest.fixture
def person(analyste):
    demo_load()
    participant = User.objects.get(email="participant@alliances.localhost")
    wave = collecting_wave(analyste, open_link=True)
    collection.response_submit(
        response=answer_all(collection.response_start_open(wave=wave, user=participant))
    )
    resource_create(by=participant, kind="fiche", title="Brouillon personnel de Paula",
                    summary="Jamais soumis.")
    return participant


def test_the_export_covers_every_part_and_holds_no_one_else(client, person):
    client.force_login(person)
    response = client.post(reverse("accounts:data_export"))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    for part, sections in EXPECTED.items():
        for section in sections:
            assert data[part][section], f"{part}.{section} is empty"
    text = response.content.decode()
    others = User.objects.exclude(pk=person.pk).values_list("email", flat=True)
    assert not [email for email in others if email in text]


def test_deleting_the_account_leaves_the_name_and_address_nowhere(client, person):
    email, name = person.email, person.display_name
    assert name
    draft = Resource.objects.get(title="Brouillon personnel de Paula")
    submitted = Resource.objects.filter(contributor=person).exclude(
        status=ResourceStatus.DRAFT).count()
    client.force_login(person)

    response = client.post(reverse("accounts:delete"), {"email": email})

    assert response.status_code == 302
    found = rows_containing(email) + rows_containing(name)
    assert not found, f"still in the database: {found}"
    assert not Resource.objects.filter(pk=draft.pk).exists()  # a draft was theirs alone
    assert Resource.objects.filter(contributor=person).count() == submitted  # shared work
    export = json.loads(json.dumps(_export(person)))
    assert export["discussions"]["threads_followed"] == []
    assert export["notifications"]["notifications"] == []


def _export(user):
    from alliances.accounts.gdpr import user_export

    return user_export(user)


def rows_containing(text: str) -> list[str]:
    """'app.Model.field #pk' for every text or JSON value of every table that holds `text`
    (case-insensitive)."""
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields
                  if isinstance(f, models.CharField | models.TextField | models.JSONField)]
        for field in fields:
            lookup = "icontains" if not isinstance(field, models.JSONField) else None
            if lookup is None:
                for pk, value in model._base_manager.values_list("pk", field.attname):
                    if text.lower() in json.dumps(value, ensure_ascii=False).lower():
                        found.append(f"{model._meta.label}.{field.name} #{pk}")
                continue
            for pk in model._base_manager.filter(**{f"{field.attname}__icontains": text}
                                                 ).values_list("pk", flat=True):
                found.append(f"{model._meta.label}.{field.name} #{pk}")
    return found
