"""Generated networks of actors and alliances for `alliances bench network` (seeded NumPy).

Actors get a type (weights close to a real directory: associations first, companies
next) and an activity drawn from a Pareto law, so a few actors take part in many
alliances and most in one or two (power-law-ish degrees, like real partnership networks).
Each alliance has 2 to 4 partners (50 %, 30 %, 20 %) drawn in proportion to their
activity, a type of partnership and one or two fragilités.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TYPE_WEIGHTS = {  # the order of OrganisationType
    "association": 55, "fondation": 3, "entreprise": 20, "collectivite": 8, "etat": 3,
    "enseignement": 4, "academique": 2, "reseau": 3, "catalyseur": 2,
}
ALLIANCE_TYPES = ["mecenat", "pratiques_responsables", "cooperation_economique",
                  "innovation_societale"]
SIZES, SIZE_P = np.array([2, 3, 4]), np.array([0.5, 0.3, 0.2])
PARETO_SHAPE = 1.2


@dataclass
class Network:
    actor_ids: np.ndarray
    actor_types: np.ndarray  # index into TYPE_WEIGHTS
    alliance_types: np.ndarray  # index into ALLIANCE_TYPES
    alliance_fragilities: list[list[int]]  # indices into the fragilités given
    partner_alliance: np.ndarray  # one row per partner
    partner_actor: np.ndarray  # actor index (into actor_ids)

    @property
    def n_actors(self) -> int:
        return len(self.actor_ids)

    @property
    def n_alliances(self) -> int:
        return len(self.alliance_types)


def generate(n_actors: int, n_alliances: int, *, seed: int = 2018, n_fragilities: int = 12,
             first_id: int = 1) -> Network:
    rng = np.random.default_rng(seed)
    weights = np.array(list(TYPE_WEIGHTS.values()), dtype=float)
    actor_types = rng.choice(len(weights), size=n_actors, p=weights / weights.sum())
    activity = rng.pareto(PARETO_SHAPE, size=n_actors) + 1.0
    activity /= activity.sum()

    sizes = rng.choice(SIZES, size=n_alliances, p=SIZE_P)
    partner_alliance = np.repeat(np.arange(n_alliances), sizes)
    partner_actor = rng.choice(n_actors, size=len(partner_alliance), p=activity)
    # The same actor drawn twice in one alliance: keep it once (an alliance may then have
    # fewer partners than drawn; one with a single partner left is no link).
    pairs = np.unique(partner_alliance * np.int64(n_actors) + partner_actor)
    partner_alliance, partner_actor = pairs // n_actors, pairs % n_actors

    alliance_types = rng.integers(0, len(ALLIANCE_TYPES), size=n_alliances)
    first = rng.integers(0, n_fragilities, size=n_alliances)
    second = rng.integers(0, n_fragilities, size=n_alliances)
    two = rng.random(n_alliances) < 0.3
    fragilities = [
        sorted({int(a), int(b)}) if t else [int(a)]
        for a, b, t in zip(first, second, two, strict=True)
    ]
    return Network(
        actor_ids=np.arange(first_id, first_id + n_actors, dtype=np.int64),
        actor_types=actor_types.astype(np.int64),
        alliance_types=alliance_types.astype(np.int64),
        alliance_fragilities=fragilities,
        partner_alliance=partner_alliance.astype(np.int64),
        partner_actor=partner_actor.astype(np.int64),
    )
