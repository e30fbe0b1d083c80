"""PostgreSQL only: a trigram index on the organisations' folded names, so the name search
(`search_name LIKE '%…%'`, OrganisationQuerySet.search) reads the index instead of the
whole table. The load bench measured the site search at 69 req/s, p99 802 ms at 50
connections over 50,000 organisations without it. SQLite has no such index: there the
scan stays (a small instance's table is small)."""

from django.db import migrations

INDEX = "org_search_name_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON actors_organisation "
        "USING gin (search_name gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("actors", "0004_organisation_territory_fk_no_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
