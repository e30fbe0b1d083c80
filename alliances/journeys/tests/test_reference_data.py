from importlib import import_module

import pytest

from alliances.journeys.models import Programme, ProgrammeStep, StepCategory, StepKind

MIGRATION = "alliances.journeys.migrations.0002_step_kinds_default_programme"


def test_step_kinds_ship_with_their_category(db):
    sessions = set(
        StepKind.objects.filter(category=StepCategory.SESSION).values_list("code", flat=True)
    )
    assert sessions == {
        "apport_theorique", "temoignage", "mise_en_situation", "codeveloppement",
        "webinaire", "temps_informel",
    }
    works = set(StepKind.objects.filter(category=StepCategory.WORK).values_list("code", flat=True))
    assert works == {"bilan", "cible", "trajectoire", "pitch", "contribution"}
    assert StepKind.objects.get(code="codeveloppement").name == "Co-développement"


def test_default_programme_has_four_phases_over_nine_months(db):
    programme = Programme.objects.get(slug="parcours-co-construction")
    assert programme.is_public
    phases = list(programme.phases.all())
    assert [p.name for p in phases] == [
        "Comprendre", "Mettre en œuvre", "Approfondir", "Mettre en perspective",
    ]
    for before, after in zip(phases, phases[1:], strict=False):
        assert after.start_offset_days == before.start_offset_days + before.duration_days
    last = phases[-1]
    assert 265 <= last.start_offset_days + last.duration_days <= 280
    steps = ProgrammeStep.objects.filter(phase__programme=programme)
    for step in steps:
        phase = step.phase
        assert phase.start_offset_days <= step.offset_days
        assert step.offset_days < phase.start_offset_days + phase.duration_days
        if step.kind.category == StepCategory.SESSION:
            assert step.duration_minutes
    kinds = [s.kind_id for s in steps]
    assert {"bilan", "cible", "trajectoire", "contribution", "pitch"} <= set(kinds)
    assert kinds.count("webinaire") >= 4
    assert "codeveloppement" in kinds


def test_loading_again_changes_nothing(db):
    from django.apps import apps

    counts = (StepKind.objects.count(), ProgrammeStep.objects.count())
    import_module(MIGRATION).load(apps, None)
    assert (StepKind.objects.count(), ProgrammeStep.objects.count()) == counts


@pytest.mark.django_db(transaction=True)
def test_transactional_tests_get_the_programme_back():
    # The flush after a transactional test empties the tables; conftest reloads them.
    assert Programme.objects.filter(slug="parcours-co-construction").exists()
    assert StepKind.objects.count() == 11
