"""The demo catalogue (alliances/resources/demo/) imports whole and covers the centre."""

import pytest
from django.core.management import call_command

from alliances.core.demo_data import DEMO_CONTRIBUTOR, DEMO_RESOURCES
from alliances.core.vocabularies import TagFamily
from alliances.resources import search
from alliances.resources.importer import resources_import
from alliances.resources.models import Resource, ResourceKind, ResourceStatus, ResourceTag

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_demo_catalogue_covers_every_kind_family_and_part(participant):
    report = resources_import(path=DEMO_RESOURCES / "ressources.csv",
                              files_dir=DEMO_RESOURCES / "fichiers", contributor=participant)
    assert 30 <= report.imported <= 40 and report.files == 3 and not report.skipped
    resources = Resource.objects.all()
    assert set(resources.values_list("kind", flat=True)) == set(ResourceKind.values)
    assert set(ResourceTag.objects.values_list("family", flat=True)) == set(TagFamily.values)
    assert {r.nodes.count() > 0 for r in resources} == {True}
    assert resources.filter(links__url__startswith="https://www.fun-mooc.fr/").exists()
    assert {r.status for r in resources} == {ResourceStatus.PUBLISHED}
    # The PDFs' text is searched: these words are only in the files.
    assert search.search("rescrit fiscal").count == 1
    assert search.search("instabilité des financements").count == 1
    assert search.search("tour de table").count == 1
    for path in (DEMO_RESOURCES / "fichiers").iterdir():
        assert path.stat().st_size < 50_000


def test_the_demo_loads_the_catalogue_once_credited_to_the_demo_participant(db):
    call_command("demo")
    resources = Resource.objects.published()
    assert 30 <= resources.count() <= 40
    assert set(resources.values_list("contributor__email", flat=True)) == {DEMO_CONTRIBUTOR}
    call_command("demo")
    assert Resource.objects.count() == resources.count()
