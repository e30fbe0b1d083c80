"""The observatory's back-office: platform admins only; what statistics depend on is
read-only there (statuses, a wave's questions, codes once asked, batches and responses),
the packed response columns never shown."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from alliances.accounts.models import User
from alliances.accounts.services import user_create
from alliances.observatory.models import (
    Invitation,
    Question,
    ResponseBatch,
    Survey,
    Wave,
    WebResponse,
)
from alliances.observatory.testing import make_wave

pytestmark = pytest.mark.django_db

MODELS = ["survey", "wave", "question", "responsebatch", "invitation", "webresponse"]


@pytest.fixture
def wave(analyste) -> Wave:
    wave = make_wave(analyste, n=40)
    ResponseBatch.objects.filter(wave=wave).update(
        errors=[{"line": 7, "column": "q4", "message": "« peut-être » is not an option"}]
    )
    invitation = Invitation.objects.create(wave=wave, label="Mairie de Die")
    WebResponse.objects.create(wave=wave, invitation=invitation,
                               answers={"q4": "oui", "q14": ["asso"]})
    return wave


@pytest.fixture
def staff(db, password) -> User:
    """An analyst made staff and given every model permission of the app: still out."""
    user = user_create(email="staff@example.org", password=password,
                       role=User.Role.ANALYSTE, display_name="Stéphane Staff")
    User.objects.filter(pk=user.pk).update(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="observatory"))
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize("model", MODELS)
def test_admins_see_every_list_and_page(client, admin, wave, model):
    client.force_login(admin)
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse(f"admin:observatory_{model}_changelist") in index
    assert client.get(reverse(f"admin:observatory_{model}_changelist")).status_code == 200
    obj = {"survey": wave.survey, "wave": wave, "question": Question.objects.first(),
           "responsebatch": ResponseBatch.objects.first(),
           "invitation": Invitation.objects.first(),
           "webresponse": WebResponse.objects.first()}[model]
    assert client.get(reverse(f"admin:observatory_{model}_change", args=[obj.pk])) \
        .status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_other_staff_are_kept_out(client, staff, wave, model):
    client.force_login(staff)
    assert client.get(reverse(f"admin:observatory_{model}_changelist")).status_code == 403
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert reverse("admin:app_list", args=["observatory"]) not in index.content.decode()


def test_a_batch_shows_its_progress_and_errors_never_its_columns(client, admin, wave):
    client.force_login(admin)
    batch = ResponseBatch.objects.get(wave=wave)
    response = client.get(reverse("admin:observatory_responsebatch_change", args=[batch.pk]))
    form = response.context["adminform"]
    names = [name for fieldset in form for line in fieldset for f in line
             for name in [f.field["name"] if isinstance(f.field, dict) else f.field.name]]
    assert "data" not in names and "error_list" in names
    assert "peut-être" in response.content.decode()
    # Read-only: a POST changes nothing.
    post = client.post(reverse("admin:observatory_responsebatch_change", args=[batch.pk]),
                       {"filename": "autre.csv"})
    assert post.status_code == 403
    assert ResponseBatch.objects.get(pk=batch.pk).filename == "sample.csv"
    assert client.get(reverse("admin:observatory_responsebatch_add")).status_code == 403


def test_a_wave_lists_its_questions_read_only_and_keeps_its_status(client, admin, wave):
    client.force_login(admin)
    url = reverse("admin:observatory_wave_change", args=[wave.pk])
    response = client.get(url)
    inline = response.context["inline_admin_formsets"][0]
    assert inline.formset.model.__name__ == "WaveQuestion"
    assert not inline.has_add_permission and not inline.has_change_permission
    assert "q14" in response.content.decode()
    response = client.post(url, {"label": "2024 bis", "min_n": "50", "status": "publiee",
                                 "questions-TOTAL_FORMS": "0",
                                 "questions-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    wave.refresh_from_db()
    assert (wave.label, wave.min_n, wave.status) == ("2024 bis", 50, "brouillon")
    assert client.get(reverse("admin:observatory_wave_add")).status_code == 403


def test_a_question_keeps_its_code_and_kind_and_its_asked_options(client, admin, wave):
    client.force_login(admin)
    question = Question.objects.get(code="q4")
    url = reverse("admin:observatory_question_change", args=[question.pk])
    response = client.get(url)
    assert {"code", "kind"} <= set(response.context["adminform"].readonly_fields)
    inline = response.context["inline_admin_formsets"][0]
    assert not inline.has_add_permission and not inline.has_delete_permission
    data = {"label": "Une dynamique de co-construction ?", "code": "autre", "kind": "text",
            "options-TOTAL_FORMS": "3", "options-INITIAL_FORMS": "3",
            "options-MIN_NUM_FORMS": "0", "options-MAX_NUM_FORMS": "1000"}
    for n, option in enumerate(question.options.all()):
        data[f"options-{n}-id"] = option.pk
        data[f"options-{n}-question"] = question.pk
        data[f"options-{n}-label"] = option.label.upper()
        data[f"options-{n}-code"] = "changed"
    response = client.post(url, data)
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.code, question.kind) == ("q4", "single")
    assert question.label == "Une dynamique de co-construction ?"
    assert list(question.options.values_list("code", "label")) == [
        ("oui", "OUI"), ("non", "NON"), ("nsp", "NE SAIT PAS")]


def test_web_responses_and_invitations_are_not_changed_here(client, admin, wave):
    client.force_login(admin)
    response = WebResponse.objects.get(wave=wave)
    page = client.get(reverse("admin:observatory_webresponse_change", args=[response.pk]))
    assert "&quot;q4&quot;: &quot;oui&quot;" in page.content.decode()
    invitation = Invitation.objects.get(wave=wave)
    assert client.post(reverse("admin:observatory_invitation_delete", args=[invitation.pk]),
                       {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:observatory_webresponse_delete", args=[response.pk]),
                       {"post": "yes"}).status_code == 403
    assert Invitation.objects.count() == 1 and WebResponse.objects.count() == 1
    # Surveys come from the console, with its checks.
    assert client.get(reverse("admin:observatory_survey_add")).status_code == 403
    assert Survey.objects.count() == 1
