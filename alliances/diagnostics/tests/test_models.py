"""The model's own guarantees, enforced by the database."""

import pytest
from django.db import IntegrityError, transaction

from alliances.diagnostics.models import Grid, Plan
from alliances.diagnostics.testing import make_grid


def test_a_grid_version_has_its_shape(grid_version):
    assert grid_version.axes.count() == 3
    assert grid_version.criteria.count() == 9
    assert list(grid_version.levels.values_list("rank", flat=True)) == [1, 2, 3, 4]
    assert grid_version.criteria.first().levels.count() == 4


def test_a_new_version_keeps_the_codes(grid_version):
    second = make_grid(grid=grid_version.grid)
    assert second.number == 2
    assert set(second.criteria.values_list("code", flat=True)) == set(
        grid_version.criteria.values_list("code", flat=True)
    )


def test_only_one_default_grid(db):
    assert Grid.objects.filter(is_default=True).count() == 1  # the shipped grid
    with pytest.raises(IntegrityError), transaction.atomic():
        Grid.objects.create(slug="b", name="B", is_default=True)


def test_a_plan_belongs_to_a_team_or_a_person(grid_version):
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(grid=grid_version.grid, name="Personne")


def test_the_team_fixture(plan, participant, partner, territory):
    people = set(territory.members.values_list("user_id", flat=True))
    assert {participant.pk, partner.pk} <= people
    assert plan.pilot_territory == territory
