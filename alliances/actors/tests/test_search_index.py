"""On PostgreSQL, the organisations' name search can use the trigram index (migration
actors 0005) instead of reading the whole table."""

import pytest
from django.db import connection

from alliances.actors.models import Organisation

pytestmark = pytest.mark.django_db


def test_the_name_search_can_read_the_trigram_index():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite scans its (small) table")
    queryset = Organisation.objects.public().search("coopération")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # A test table is tiny: the planner would rather scan it, or walk a B-tree index
        # whole; forbid both to see whether an index can serve the LIKE itself.
        for scan in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "org_search_name_trgm" in plan, plan
