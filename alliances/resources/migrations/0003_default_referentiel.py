"""The référentiel's default tree (alliances.resources.default_referentiel)."""

from django.db import migrations

from alliances.resources.default_referentiel import DEFAULT_REFERENTIEL


def load(apps, schema_editor) -> None:
    Node = apps.get_model("resources", "ReferentielNode")
    if Node.objects.exists():
        return

    def create(entries, parent) -> None:
        for position, (title, description, children) in enumerate(entries, start=1):
            node = Node.objects.create(
                parent=parent, position=position, title=title, description=description
            )
            create(children, node)

    create(DEFAULT_REFERENTIEL, None)


class Migration(migrations.Migration):
    dependencies = [("resources", "0002_resources")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
