"""Test data made through the services: a small survey whose answers the tests know."""

from __future__ import annotations

import numpy as np

from . import dataset
from .models import ResponseBatch, Survey, Wave
from .services import QuestionSpec, WaveDefinition, survey_create, wave_create, wave_data_changed

REGIONS = (("11", "Île-de-France"), ("84", "Auvergne-Rhône-Alpes"), ("53", "Bretagne"))
SIZES = (("moins_1000", "Moins de 1 000 habitants"), ("1000_plus", "1 000 habitants et plus"))
DYNAMIQUE = (("oui", "Oui"), ("non", "Non"), ("nsp", "Ne sait pas"))
PARTNERS = (("asso", "Des associations"), ("entreprises", "Des entreprises"),
            ("ecoles", "Des établissements scolaires"))


def sample_definition() -> WaveDefinition:
    return WaveDefinition(questions=[
        QuestionSpec("region", "single", "Région", REGIONS, row=2),
        QuestionSpec("taille_commune", "single", "Taille de la commune", SIZES, row=3),
        QuestionSpec("q4", "single", "Votre territoire est-il porteur d'une dynamique de "
                     "co-construction ?", DYNAMIQUE, required=True, row=4),
        QuestionSpec("q14", "multiple", "Avec quelles organisations développez-vous des "
                     "relations ?", PARTNERS, row=5),
        QuestionSpec("q20", "number", "Combien de partenariats ?", minimum=0, row=6),
        QuestionSpec("q30", "text", "Commentaire", row=7),
    ])


def make_wave(owner, *, slug="maires", label="2024", population="maires", n=400, seed=1,
              weights=True, survey: Survey | None = None) -> Wave:
    """A wave of the sample definition with `n` random respondents imported as one batch
    (made with the dataset's own encoder, not the CSV importer)."""
    if survey is None:
        survey = Survey.objects.filter(slug=slug).first() or survey_create(
            slug=slug, title=f"Baromètre des {population}", population=population, owner=owner
        )
    wave = wave_create(survey=survey, label=label, definition=sample_definition(),
                       created_by=owner, attributes=["region", "taille_commune"])
    rng = np.random.default_rng(seed)
    answers = []
    for _ in range(n):
        answer = {
            "region": REGIONS[rng.integers(3)][0],
            "taille_commune": SIZES[rng.integers(2)][0],
            "q4": DYNAMIQUE[rng.choice(3, p=[0.5, 0.35, 0.15])][0],
            "q20": int(rng.integers(0, 12)),
        }
        if rng.random() < 0.9:
            answer["q14"] = [code for code, _ in PARTNERS if rng.random() < 0.5]
        answers.append(answer)
    columns = dataset.encode_answers(list(dataset.wave_questions(wave).values()), answers)
    if weights:
        columns.weights = rng.uniform(0.5, 2.0, n)
    ResponseBatch.objects.create(
        wave=wave, status=ResponseBatch.Status.DONE, filename="sample.csv",
        source="observatory/imports/sample.csv", rows_total=n, rows_done=n, rows_imported=n,
        data=dataset.pack_columns(columns), created_by=owner,
    )
    wave_data_changed(wave)
    return wave
