"""The default maturity grid (alliances.diagnostics.default_grid), version 1, published."""

from django.db import migrations
from django.utils import timezone

from alliances.diagnostics.default_grid import DEFAULT_GRID


def create_default_grid(apps, schema_editor) -> None:
    Grid = apps.get_model("diagnostics", "Grid")
    GridVersion = apps.get_model("diagnostics", "GridVersion")
    Level = apps.get_model("diagnostics", "Level")
    Axis = apps.get_model("diagnostics", "Axis")
    Criterion = apps.get_model("diagnostics", "Criterion")
    CriterionLevel = apps.get_model("diagnostics", "CriterionLevel")
    data = DEFAULT_GRID
    if Grid.objects.filter(slug=data["grid"]["slug"]).exists():
        return
    grid = Grid.objects.create(
        slug=data["grid"]["slug"],
        name=data["grid"]["name"],
        description=data["grid"]["description"],
        is_default=not Grid.objects.filter(is_default=True).exists(),
    )
    version = GridVersion.objects.create(
        grid=grid,
        number=data["version"]["number"],
        status="publiee",
        published_at=timezone.now(),
        note=data["version"]["note"],
    )
    Level.objects.bulk_create(
        Level(version=version, rank=level["rank"], name=level["name"],
              description=level["description"])
        for level in data["levels"]
    )
    for a, axis_data in enumerate(data["axes"], start=1):
        axis = Axis.objects.create(
            version=version, position=a, code=axis_data["code"], name=axis_data["name"],
            description=axis_data["description"],
        )
        for c, criterion_data in enumerate(axis_data["criteria"], start=1):
            criterion = Criterion.objects.create(
                axis=axis, version=version, position=c, code=criterion_data["code"],
                name=criterion_data["name"], description=criterion_data["question"],
            )
            CriterionLevel.objects.bulk_create(
                CriterionLevel(criterion=criterion, rank=level["rank"],
                               description=level["description"])
                for level in criterion_data["levels"]
            )


# The name the tests' reference-data loader calls (alliances/conftest.py) after a flush.
load = create_default_grid


def delete_default_grid(apps, schema_editor) -> None:
    # Plans and bilans made on it protect it: the reverse then fails loudly, as it should.
    apps.get_model("diagnostics", "Grid").objects.filter(
        slug=DEFAULT_GRID["grid"]["slug"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0001_initial")]

    operations = [migrations.RunPython(create_default_grid, delete_default_grid)]
