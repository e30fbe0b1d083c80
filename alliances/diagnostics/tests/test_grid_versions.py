"""Grid versions: a draft copies the latest, publishing checks it, a published one is frozen,
and a bilan keeps the texts of the version it was made on."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from alliances.diagnostics.grids import (
    grid_version_delete,
    grid_version_draft,
    grid_version_problems,
    grid_version_publish,
    grid_version_update,
)
from alliances.diagnostics.models import (
    Axis,
    Criterion,
    CriterionLevel,
    Grid,
    GridVersion,
    GridVersionStatus,
)
from alliances.diagnostics.selectors import version_structure
from alliances.diagnostics.services import bilan_create
from alliances.diagnostics.testing import make_grid, make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french():
    """Messages read in French, whatever language an earlier request left in the thread."""
    with translation.override("fr"):
        yield


def _structure(version: GridVersion) -> list:
    return [
        (
            a.position,
            a.code,
            a.name,
            [
                (
                    c.position,
                    c.code,
                    c.name,
                    c.description,
                    [(lv.rank, lv.description) for lv in c.levels.all()],
                )
                for c in a.criteria.all()
            ],
        )
        for a in version_structure(version)
    ] + [list(version.levels.values_list("rank", "name", "description"))]


def test_a_draft_copies_the_latest_version_with_the_same_codes(grid_version):
    draft = grid_version_draft(grid=grid_version.grid, note="Deuxième édition")
    assert draft.number == 2
    assert draft.status == GridVersionStatus.DRAFT
    assert draft.published_at is None
    assert draft.note == "Deuxième édition"
    assert _structure(draft) == _structure(grid_version)
    assert Criterion.objects.filter(version=draft).count() == 9
    assert not Criterion.objects.filter(version=draft, axis__version=grid_version).exists()


def test_a_grid_without_version_gets_an_empty_first_draft(db):
    grid = Grid.objects.create(slug="vide", name="Vide")
    draft = grid_version_draft(grid=grid)
    assert draft.number == 1
    assert not draft.axes.exists()


def test_only_one_draft_at_a_time(grid_version):
    grid_version_draft(grid=grid_version.grid)
    with pytest.raises(ValidationError, match="a déjà un brouillon de version"):
        grid_version_draft(grid=grid_version.grid)
    assert grid_version.grid.versions.count() == 2


def test_publishing_a_complete_draft(grid_version):
    draft = grid_version_draft(grid=grid_version.grid)
    published = grid_version_publish(version=draft)
    assert published.status == GridVersionStatus.PUBLISHED
    assert published.published_at is not None
    draft.refresh_from_db()
    assert draft.is_published


def test_publishing_refuses_an_incomplete_draft_and_says_why(grid_version):
    draft = grid_version_draft(grid=grid_version.grid)
    Axis.objects.create(version=draft, position=9, code="axe-vide", name="Axe vide")
    CriterionLevel.objects.filter(
        criterion__version=draft, criterion__code="axe-1-critere-2", rank=3
    ).delete()
    CriterionLevel.objects.filter(
        criterion__version=draft, criterion__code="axe-2-critere-1", rank=1
    ).update(description="  ")
    with pytest.raises(ValidationError) as caught:
        grid_version_publish(version=draft)
    messages = caught.value.messages
    assert "L’axe « Axe vide » n’a aucun critère." in messages
    assert "Le critère « Critère 1.2 » n’a pas de description pour le ou les niveaux 3." in messages
    assert "Le critère « Critère 2.1 » n’a pas de description pour le ou les niveaux 1." in messages
    draft.refresh_from_db()
    assert draft.status == GridVersionStatus.DRAFT and draft.published_at is None


def test_publishing_refuses_a_version_without_axis_or_level(db):
    grid = Grid.objects.create(slug="vide", name="Vide")
    draft = grid_version_draft(grid=grid)
    assert grid_version_problems(draft) == [
        "La version n’a aucun niveau.",
        "La version n’a aucun axe.",
    ]
    with pytest.raises(ValidationError):
        grid_version_publish(version=draft)


def test_a_published_version_is_frozen(grid_version):
    with pytest.raises(ValidationError, match="est publiée et figée"):
        grid_version_update(version=grid_version, note="changé")
    with pytest.raises(ValidationError, match="est publiée et figée"):
        grid_version_delete(version=grid_version)
    with pytest.raises(ValidationError, match="est publiée et figée"):
        grid_version_publish(version=grid_version)
    grid_version.refresh_from_db()
    assert grid_version.note == ""


def test_a_draft_may_be_edited_and_deleted(grid_version):
    draft = grid_version_draft(grid=grid_version.grid)
    assert grid_version_update(version=draft, note="notes").note == "notes"
    grid_version_delete(version=draft)
    assert not GridVersion.objects.filter(pk=draft.pk).exists()
    assert grid_version.grid.versions.count() == 1


def test_an_old_bilan_keeps_the_texts_of_its_version(grid_version, territory, participant):
    plan = make_plan(grid=grid_version.grid, pilot_territory=territory)
    old = bilan_create(plan=plan, moment="t0", date=datetime.date(2026, 1, 15), user=participant)
    draft = grid_version_draft(grid=grid_version.grid)
    criterion = Criterion.objects.get(version=draft, code="axe-1-critere-1")
    criterion.name = "Critère reformulé"
    criterion.save()
    CriterionLevel.objects.filter(criterion=criterion, rank=2).update(
        description="Nouvelle description du niveau 2."
    )
    grid_version_publish(version=draft)

    new = bilan_create(
        plan=plan, moment="fin_parcours", date=datetime.date(2026, 10, 1), user=participant
    )
    assert new.grid_version == draft
    old.refresh_from_db()
    assert old.grid_version == grid_version
    first = version_structure(old.grid_version)[0].criteria.all()[0]
    assert first.code == "axe-1-critere-1"
    assert first.name == "Critère 1.1"
    assert first.levels.all()[1].description == "Critère 1.1, niveau 2 : ce qui s'observe."
    assert {e.criterion.name for e in old.entries.select_related("criterion")} >= {"Critère 1.1"}
    assert "Critère reformulé" in {
        e.criterion.name for e in new.entries.select_related("criterion")
    }


def test_the_bilan_page_of_an_old_bilan_shows_its_version(
    client, grid_version, territory, participant
):
    plan = make_plan(grid=grid_version.grid, pilot_territory=territory)
    old = bilan_create(plan=plan, moment="t0", date=datetime.date(2026, 1, 15), user=participant)
    draft = grid_version_draft(grid=grid_version.grid)
    Criterion.objects.filter(version=draft, code="axe-1-critere-1").update(name="Critère reformulé")
    CriterionLevel.objects.filter(criterion__version=draft, rank=2).update(
        description="Nouvelle description."
    )
    grid_version_publish(version=draft)
    client.force_login(participant)
    page = client.get(reverse("diagnostics:bilan", args=[old.pk])).content.decode()
    assert "Critère 1.1" in page
    assert "Critère 1.1, niveau 2 : ce qui s&#x27;observe." in page  # its level texts
    assert "Critère reformulé" not in page
    assert "Nouvelle description." not in page
    new = bilan_create(plan=plan, moment="m36", date=datetime.date(2028, 1, 15), user=participant)
    page = client.get(reverse("diagnostics:bilan", args=[new.pk])).content.decode()
    assert "Critère reformulé" in page
    assert "Nouvelle description." in page


def test_make_grid_drafts_are_drafts(db):
    version = make_grid(slug="brouillon", published=False)
    grid_version_update(version=version, note="ok")
