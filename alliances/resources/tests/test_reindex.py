"""`alliances reindex-resources` rebuilds the search index from the published resources."""

import io

import pytest
from django.core.management import call_command

from alliances.resources import search
from alliances.resources.models import ResourceStatus
from alliances.resources.testing import make_resource

pytestmark = pytest.mark.django_db


def test_the_command_rebuilds_the_index_and_prints_the_count_and_time(participant):
    published = [make_resource(title=f"Coopération économique n° {n}") for n in range(3)]
    make_resource(by=participant, title="Coopération en brouillon",
                  status=ResourceStatus.DRAFT)
    search.clear()
    assert search.search("coopération").count == 0

    out = io.StringIO()
    call_command("reindex_resources", batch_size=2, stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == "Indexing 3 published resources, 2 at a time…"
    assert lines[-1].startswith("3 resources indexed in ") and lines[-1].endswith(" s.")
    found = search.search("cooperations")
    assert sorted(h.id for h in found.hits) == sorted(r.pk for r in published)


def test_a_second_rebuild_leaves_no_stale_document(participant):
    resource = make_resource(title="Mécénat de compétences")
    call_command("reindex_resources", stdout=io.StringIO())
    resource.delete()  # gone without the services: only a rebuild notices
    assert search.search("mecenat").count == 1
    call_command("reindex_resources", stdout=io.StringIO())
    assert search.search("mecenat").count == 0
