"""The grids in the back-office: a draft edited on one page, a published version read-only,
the actions (new draft, publish, exports), the plans' read-only views, and who may."""

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from alliances.diagnostics.grids import grid_version_draft, grid_version_publish
from alliances.diagnostics.models import (
    Criterion,
    CriterionLevel,
    Grid,
    GridVersion,
    GridVersionStatus,
)

pytestmark = pytest.mark.django_db


def _form_data(response) -> dict:
    """The POST a browser would send back from an admin change page, unchanged."""
    data: dict = {}

    def add(form) -> None:
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            data[key] = "on" if value is True else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[formset.management_form.add_prefix(name)] = formset.management_form[name].value()
        for form in formset.forms:
            add(form)
    return data


def _change_url(version: GridVersion) -> str:
    return reverse("admin:diagnostics_gridversion_change", args=[version.pk])


def test_a_draft_is_edited_on_one_page_level_texts_included(client, admin, grid_version):
    draft = grid_version_draft(grid=grid_version.grid)
    client.force_login(admin)
    response = client.get(_change_url(draft))
    assert response.status_code == 200
    content = response.content.decode()
    assert "1. Émergence" in content and "4. Essaimage" in content
    assert '<a href="/bilans/grilles/grille-test/?version=2">' in content  # the preview
    data = _form_data(response)
    criterion = Criterion.objects.get(version=draft, code="axe-2-critere-3")
    index = next(i for i in range(9) if data.get(f"criteria-{i}-id") == criterion.pk)
    data[f"criteria-{index}-name"] = "Critère 2.3 reformulé"
    data[f"criteria-{index}-level_2"] = "  Ce que l'on voit désormais au niveau 2.  "
    data["note"] = "Reformulation du critère 2.3"
    response = client.post(_change_url(draft), data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    criterion.refresh_from_db()
    assert criterion.name == "Critère 2.3 reformulé"
    assert criterion.levels.get(rank=2).description == "Ce que l'on voit désormais au niveau 2."
    draft.refresh_from_db()
    assert draft.note == "Reformulation du critère 2.3"
    # The published version is untouched.
    old = Criterion.objects.get(version=grid_version, code="axe-2-critere-3")
    assert old.name == "Critère 2.3"
    assert old.levels.get(rank=2).description == "Critère 2.3, niveau 2 : ce qui s'observe."


def test_a_bad_edit_is_refused_with_its_errors_and_nothing_saved(client, admin, grid_version):
    draft = grid_version_draft(grid=grid_version.grid)
    client.force_login(admin)
    data = _form_data(client.get(_change_url(draft)))
    data["criteria-0-level_1"] = ""
    data["criteria-0-name"] = "Nouveau nom"
    data["criteria-1-code"] = data["criteria-0-code"]
    response = client.post(_change_url(draft), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ce champ est obligatoire." in content  # French by default (Django's own catalogue)
    assert "avec ces champs Version et Code existe déjà." in content  # the duplicate code
    assert not Criterion.objects.filter(version=draft, name="Nouveau nom").exists()


def test_a_criterion_cannot_take_an_axis_of_another_version(client, admin, grid_version):
    draft = grid_version_draft(grid=grid_version.grid)
    client.force_login(admin)
    data = _form_data(client.get(_change_url(draft)))
    data["criteria-0-axis"] = grid_version.axes.first().pk
    response = client.post(_change_url(draft), data)
    assert response.status_code == 200
    assert Criterion.objects.filter(version=draft, axis__version=draft).count() == 9


def test_a_published_version_shows_read_only_and_refuses_a_post(client, admin, grid_version):
    client.force_login(admin)
    response = client.get(_change_url(grid_version))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="_save"' not in content
    assert "Critère 1.1, niveau 4 : ce qui s&#x27;observe." in content  # level texts shown
    assert 'name="criteria-0-name"' not in content
    response = client.post(_change_url(grid_version), {"note": "changé"})
    assert response.status_code == 403
    grid_version.refresh_from_db()
    assert grid_version.note == ""
    delete = reverse("admin:diagnostics_gridversion_delete", args=[grid_version.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert GridVersion.objects.filter(pk=grid_version.pk).exists()


def _action(client, model: str, action: str, pks: list[int]):
    return client.post(
        reverse(f"admin:diagnostics_{model}_changelist"),
        {"action": action, "_selected_action": pks},
        follow=action.startswith("new") or action == "publish",
    )


def test_actions_new_draft_then_publish(client, admin, grid_version):
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    response = _action(client, "grid", "new_draft", [grid_version.grid_id])
    draft = grid_version.grid.versions.get(number=2)
    assert draft.status == GridVersionStatus.DRAFT
    assert "Draft version 2 of “Grille grille-test” made" in response.content.decode()
    # A second draft is refused, with the reason.
    response = _action(client, "grid", "new_draft", [grid_version.grid_id])
    assert "already has a draft version (version 2)" in response.content.decode()
    assert grid_version.grid.versions.count() == 2
    # Publishing an incomplete draft says why; a complete one is published.
    level = CriterionLevel.objects.get(
        criterion__version=draft, criterion__code="axe-1-critere-1", rank=1
    )
    level.description = ""
    level.save()
    response = _action(client, "gridversion", "publish", [draft.pk])
    draft.refresh_from_db()
    assert draft.status == GridVersionStatus.DRAFT
    assert "Criterion “Critère 1.1” has no description for level(s) 1." in (
        response.content.decode()
    )
    level.description = "Décrit."
    level.save()
    response = _action(client, "gridversion", "publish", [draft.pk])
    assert "is published." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == GridVersionStatus.PUBLISHED and draft.published_at is not None


def test_actions_export_json_and_xlsx(client, admin, grid_version):
    client.force_login(admin)
    response = _action(client, "gridversion", "export_json", [grid_version.pk])
    assert response["Content-Disposition"] == 'attachment; filename="grille-test-v1.json"'
    data = json.loads(response.content)
    assert data["grid"]["slug"] == "grille-test" and len(data["axes"]) == 3
    response = _action(client, "gridversion", "export_xlsx", [grid_version.pk])
    assert response["Content-Disposition"] == 'attachment; filename="grille-test-v1.xlsx"'
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["grille", "niveaux", "axes", "criteres"]
    # Two versions at once: one file only, so it says so.
    draft = grid_version_draft(grid=grid_version.grid)
    response = client.post(
        reverse("admin:diagnostics_gridversion_changelist"),
        {"action": "export_json", "_selected_action": [grid_version.pk, draft.pk]},
        follow=True,
    )
    assert "Choisissez exactement une version à exporter." in response.content.decode()


@pytest.mark.parametrize(
    "model", ["grid", "gridversion", "plan", "bilan", "target", "action", "milestone"]
)
def test_admin_lists_search_and_filter(client, admin, plan, model, django_assert_max_num_queries):
    client.force_login(admin)
    url = reverse(f"admin:diagnostics_{model}_changelist")
    with django_assert_max_num_queries(15):
        assert client.get(url).status_code == 200
    assert client.get(url, {"q": "Val"}).status_code == 200


def test_plans_and_bilans_are_read_only_here(client, admin, plan):
    client.force_login(admin)
    assert client.get(reverse("admin:diagnostics_plan_add")).status_code == 403
    response = client.get(reverse("admin:diagnostics_plan_change", args=[plan.pk]))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    response = client.post(
        reverse("admin:diagnostics_plan_change", args=[plan.pk]), {"name": "Autre"}
    )
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.name != "Autre"


@pytest.mark.parametrize("persona", ["anonymous", "animateur", "participant", "outsider"])
def test_only_admins_reach_the_grids_in_the_back_office(client, request, persona, grid_version):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    draft = grid_version_draft(grid=grid_version.grid)
    for url in [
        reverse("admin:diagnostics_grid_changelist"),
        _change_url(draft),
        _change_url(grid_version),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = client.post(
        reverse("admin:diagnostics_gridversion_changelist"),
        {"action": "export_json", "_selected_action": [grid_version.pk]},
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = client.post(
        reverse("admin:diagnostics_gridversion_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    response = client.post(_change_url(draft), {"note": "piraté"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == GridVersionStatus.DRAFT and draft.note == ""


def test_the_version_pages_query_count_does_not_grow_with_the_criteria(
    client, admin, django_assert_max_num_queries
):
    published = Grid.objects.get(slug="co-construction-territoriale").versions.get()
    draft = grid_version_draft(grid=published.grid)
    client.force_login(admin)
    with django_assert_max_num_queries(15):
        response = client.get(_change_url(draft))
    assert response.content.decode().count('name="criteria-27-level_4"') == 1
    with django_assert_max_num_queries(10):
        assert client.get(_change_url(published)).status_code == 200


def test_removing_a_level_of_a_draft_removes_its_descriptions(client, admin, grid_version):
    draft = grid_version_draft(grid=grid_version.grid)
    client.force_login(admin)
    data = _form_data(client.get(_change_url(draft)))
    assert data["levels-3-rank"] == 4
    data["levels-3-DELETE"] = "on"
    response = client.post(_change_url(draft), data)
    assert response.status_code == 302
    assert list(draft.levels.values_list("rank", flat=True)) == [1, 2, 3]
    assert not CriterionLevel.objects.filter(criterion__version=draft, rank=4).exists()
    assert CriterionLevel.objects.filter(criterion__version=grid_version, rank=4).count() == 9
    assert grid_version_publish(version=draft).is_published


def test_the_grid_list_links_to_the_import_page(client, admin):
    client.force_login(admin)
    page = client.get(reverse("admin:diagnostics_grid_changelist")).content.decode()
    assert f'href="{reverse("diagnostics:grid_import")}"' in page
    assert "Grille de maturité de la co-construction territoriale" in page
