"""The search index's tables: FTS5 on SQLite, tsvector + GIN on PostgreSQL (see
alliances.resources.search). Each backend's statements run only on its own database."""

from django.db import migrations


def _run(which: str):
    def run(apps, schema_editor):
        from alliances.resources.search import postgres, sqlite

        vendor = schema_editor.connection.vendor
        backend = {"sqlite": sqlite, "postgresql": postgres}.get(vendor)
        if backend is None:
            return
        for statement in getattr(backend, which):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies: list = []
    operations = [migrations.RunPython(_run("CREATE"), _run("DROP"))]
