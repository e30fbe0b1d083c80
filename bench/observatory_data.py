"""The observatory benchmark's data: a wave definition, seeded respondents, their CSV file
as an analyst would import it, and population margins to rake them to.

Everything is drawn with NumPy from one seed, so every system measured in a run (the
importer, csv.reader, pandas; the engine, pandas, NumPy) reads the same respondents.

The respondents (a survey of local actors, the Observatoire's kind):
- `region`: the 13 metropolitan regions by INSEE code, drawn as a quota sample draws them,
  in proportion to the square root of their population (small regions over-represented);
- `taille_commune`: 4 commune size bands, `type_acteur`: 4 actor types, both drawn with
  shares unlike the population's (so raking has work to do);
- `q4`, a 5-option single choice whose answers depend on the region, the size band and the
  actor type (cross-tabs then differ by group), 3% not answered (empty cell);
- `q14`, an 8-option multiple choice written ODK/Kobo style (one column of space-separated
  codes); 8% of the respondents (20% of the citoyens) leave it empty (outside its base);
  the others choose each option with a probability that depends on their actor type, and at
  least one;
- `poids`, the weights as a fieldwork company delivers them: lognormal (σ = 0.6) times a
  region factor, positive and unequal, written with 6 significant digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

# INSEE code, name, population in millions (INSEE, 1 January 2021, rounded): the raking
# margins' region shares.
REGIONS = (
    ("11", "Île-de-France", 12.32),
    ("24", "Centre-Val de Loire", 2.57),
    ("27", "Bourgogne-Franche-Comté", 2.79),
    ("28", "Normandie", 3.32),
    ("32", "Hauts-de-France", 5.99),
    ("44", "Grand Est", 5.56),
    ("52", "Pays de la Loire", 3.85),
    ("53", "Bretagne", 3.37),
    ("75", "Nouvelle-Aquitaine", 6.03),
    ("76", "Occitanie", 6.02),
    ("84", "Auvergne-Rhône-Alpes", 8.10),
    ("93", "Provence-Alpes-Côte d'Azur", 5.10),
    ("94", "Corse", 0.35),
)
SIZES = (
    ("moins_1000", "Moins de 1 000 habitants"),
    ("1000_3499", "De 1 000 à 3 499 habitants"),
    ("3500_9999", "De 3 500 à 9 999 habitants"),
    ("10000_plus", "10 000 habitants et plus"),
)
SIZE_SAMPLE = (0.34, 0.30, 0.20, 0.16)
SIZE_TARGET = (0.25, 0.30, 0.25, 0.20)
ACTORS = (
    ("association", "Association"),
    ("entreprise", "Entreprise"),
    ("collectivite", "Collectivité territoriale"),
    ("citoyen", "Citoyen"),
)
ACTOR_SAMPLE = (0.40, 0.25, 0.20, 0.15)
ACTOR_TARGET = (0.45, 0.25, 0.10, 0.20)
DYNAMIQUE = (
    ("tout_a_fait", "Oui, tout à fait"),
    ("plutot_oui", "Oui, plutôt"),
    ("plutot_non", "Non, plutôt pas"),
    ("pas_du_tout", "Non, pas du tout"),
    ("nsp", "Ne sait pas"),
)
PARTNERS = (
    ("associations", "D'autres associations"),
    ("entreprises", "Des entreprises"),
    ("communes", "Des communes"),
    ("intercommunalites", "Des intercommunalités"),
    ("departement", "Le département"),
    ("region", "La région"),
    ("ecoles", "Des établissements scolaires"),
    ("fondations", "Des fondations"),
)
# Probability of choosing each partner, by actor type (rows in ACTORS order).
PARTNER_P = np.array([
    [0.55, 0.30, 0.60, 0.35, 0.30, 0.20, 0.25, 0.15],
    [0.45, 0.50, 0.30, 0.20, 0.10, 0.15, 0.20, 0.10],
    [0.70, 0.40, 0.50, 0.65, 0.45, 0.30, 0.55, 0.10],
    [0.40, 0.15, 0.35, 0.10, 0.05, 0.05, 0.30, 0.05],
])
HEADER = ("region", "taille_commune", "type_acteur", "q4", "q14", "poids")
WEIGHT_COLUMN = "poids"
SINGLE_MISSING = 0.03
MULTIPLE_MISSING = (0.08, 0.08, 0.08, 0.20)  # by actor type


def definition():
    """The wave's questions, as an XLSForm would give them."""
    from alliances.observatory.services import QuestionSpec, WaveDefinition

    return WaveDefinition(
        title="Baromètre des partenariats (banc d'essai)",
        questions=[
            QuestionSpec("region", "single", "Région", tuple((c, n) for c, n, _ in REGIONS),
                         row=2),
            QuestionSpec("taille_commune", "single", "Taille de la commune", SIZES, row=3),
            QuestionSpec("type_acteur", "single", "Type d'acteur", ACTORS, row=4),
            QuestionSpec("q4", "single", "Votre territoire est-il porteur d'une dynamique de "
                         "co-construction entre les différents acteurs ?", DYNAMIQUE, row=5),
            QuestionSpec("q14", "multiple", "Outre les services de l'État, avec quelles "
                         "organisations développez-vous des relations ?", PARTNERS, row=6),
        ],
    )


ATTRIBUTES = ("region", "taille_commune", "type_acteur")


def margins(variables: int) -> dict[str, dict[str, float]]:
    """Population margins on the first `variables` attributes (2: region and commune size;
    3: and actor type), as `services.margins_read` returns them."""
    population = np.array([p for _, _, p in REGIONS])
    shares = {
        "region": dict(zip([c for c, _, _ in REGIONS], population / population.sum(),
                           strict=True)),
        "taille_commune": dict(zip([c for c, _ in SIZES], SIZE_TARGET, strict=True)),
        "type_acteur": dict(zip([c for c, _ in ACTORS], ACTOR_TARGET, strict=True)),
    }
    return {name: {k: float(v) for k, v in shares[name].items()}
            for name in ATTRIBUTES[:variables]}


@dataclass
class Respondents:
    """The generated answers as codes (indices into the option tuples above; -1 = empty)."""

    region: np.ndarray
    taille_commune: np.ndarray
    type_acteur: np.ndarray
    q4: np.ndarray
    q14_chosen: np.ndarray  # n × 8 booleans
    q14_answered: np.ndarray
    weights: np.ndarray  # as written in the file (rounded to 6 significant digits)

    @property
    def n(self) -> int:
        return len(self.region)


def generate(n: int, seed: int = 2018) -> Respondents:
    rng = np.random.default_rng(seed)
    population = np.array([p for _, _, p in REGIONS])
    region = rng.choice(len(REGIONS), n, p=np.sqrt(population) / np.sqrt(population).sum())
    size = rng.choice(len(SIZES), n, p=SIZE_SAMPLE)
    actor = rng.choice(len(ACTORS), n, p=ACTOR_SAMPLE)

    # q4: a logit per cell (region × size × actor): agreement grows with the commune's
    # size and varies by region and actor type.
    base = np.log([0.15, 0.35, 0.25, 0.15, 0.10])
    lean = np.array([1.0, 0.5, -0.3, -0.8, 0.0])  # towards "oui" when positive
    region_effect = np.random.default_rng(seed + 1).normal(0, 0.35, len(REGIONS))
    size_effect = np.array([-0.4, -0.1, 0.15, 0.35])
    actor_effect = np.array([0.2, -0.25, 0.45, -0.5])
    effect = (region_effect[:, None, None] + size_effect[None, :, None]
              + actor_effect[None, None, :])
    logits = base + effect[..., None] * lean  # 13 × 4 × 4 × 5
    p = np.exp(logits)
    cumulative = np.cumsum(p / p.sum(-1, keepdims=True), -1)
    cell = (region * len(SIZES) + size) * len(ACTORS) + actor
    cum = cumulative.reshape(-1, len(DYNAMIQUE))[cell]
    q4 = (rng.random(n)[:, None] > cum[:, :-1]).sum(1).astype(np.int16)
    q4[rng.random(n) < SINGLE_MISSING] = -1

    answered = rng.random(n) >= np.asarray(MULTIPLE_MISSING)[actor]
    chosen = rng.random((n, len(PARTNERS))) < PARTNER_P[actor]
    none = answered & ~chosen.any(1)
    chosen[np.flatnonzero(none), rng.integers(0, len(PARTNERS), int(none.sum()))] = True
    chosen &= answered[:, None]

    region_factor = np.random.default_rng(seed + 2).uniform(0.7, 1.4, len(REGIONS))
    raw = rng.lognormal(0.0, 0.6, n) * region_factor[region]
    weights = np.char.mod("%.6g", raw).astype(np.float64)  # exactly as the file has them
    return Respondents(region.astype(np.int16), size.astype(np.int16),
                       actor.astype(np.int16), q4, chosen, answered, weights)



def write_csv(respondents: Respondents, path: Path, *, chunk: int = 100_000) -> int:
    """The file an analyst imports: a header of question codes, one row per respondent,
    the multiple choice as space-separated codes; returns its size in bytes."""
    region_codes = np.array([c for c, _, _ in REGIONS], dtype=object)
    size_codes = np.array([c for c, _ in SIZES], dtype=object)
    actor_codes = np.array([c for c, _ in ACTORS], dtype=object)
    q4_codes = np.array([c for c, _ in DYNAMIQUE] + [""], dtype=object)  # -1 → ""
    # Every combination of the 8 options as its cell text, indexed by the bit mask.
    k = len(PARTNERS)
    combos = np.array(
        [" ".join(c for i, (c, _) in enumerate(PARTNERS) if mask >> i & 1) for mask in range(2**k)],
        dtype=object,
    )
    bits = 1 << np.arange(k)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(HEADER) + "\n")
        for start in range(0, respondents.n, chunk):
            part = slice(start, start + chunk)
            masks = (respondents.q14_chosen[part] * bits).sum(1)
            columns = (
                region_codes[respondents.region[part]],
                size_codes[respondents.taille_commune[part]],
                actor_codes[respondents.type_acteur[part]],
                q4_codes[respondents.q4[part]],
                combos[masks],  # unanswered rows have no option: mask 0, ""
                np.char.mod("%.6g", respondents.weights[part]),
            )
            out.write("\n".join(map(",".join, zip(*columns, strict=True))) + "\n")
    return path.stat().st_size
