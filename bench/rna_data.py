"""Generated RNA "waldec" files for bench/rna.py: the published format and its oddities.

Seeded; every row is a valid association of the demo communes (alliances/territories/
demo/communes.csv) or of a municipal arrondissement (Paris 1er/2e, in the demo COG; Lyon
3e, mapped by the known ranges only when Lyon is there: here counted unknown), ~3 % dissolved
(D) or deleted (S), accents, double quotes and `;` inside quoted fields, a SIRET on one row
in five, a website on one in ten.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from alliances.lib.identifiers import with_luhn_digit
from alliances.lib.opendata.rna import HEADER

ROOT = Path(__file__).resolve().parent.parent
DEMO_COMMUNES = ROOT / "alliances" / "territories" / "demo" / "communes.csv"

WORDS_1 = ["Association", "Amicale", "Comité", "Club", "Union", "Cercle", "Collectif",
           "Société", "Fédération", "Maison", "Les Amis", "Foyer"]
WORDS_2 = ["sportive", "culturelle", "des parents d'élèves", "du patrimoine", "de l'Œuvre",
           "des aînés", "pour l'emploi", "solidaire", "des habitants", "de pêche",
           "théâtrale", "musicale", "d'entraide", "écologique"]
WORDS_3 = ["de {commune}", "du quartier {n}", '"Les Tilleuls"', "Saint-Éloi", "— Noël",
           "des Écoles", "La Fraternité; solidarité", "{n}"]
OBJETS = [
    "Favoriser la pratique du sport; organiser des rencontres",
    'Promouvoir la culture "pour tous" et l\'éducation populaire',
    "Aider les personnes âgées; lutter contre l'isolement",
    "Défendre le patrimoine; organiser des visites, des fêtes",
    "Accompagner les demandeurs d'emploi vers l'insertion professionnelle",
]
STREETS = [("RUE", "de la République"), ("AV", "du Général de Gaulle"), ("BD", "Voltaire"),
           ("PL", "de l'Église"), ("CHE", "des Écoliers"), ("RTE", "de Gap")]


def demo_communes() -> list[tuple[str, str]]:
    """(code, name) of the demo communes and arrondissements (ARM)."""
    with open(DEMO_COMMUNES, encoding="utf-8") as stream:
        return [(row["COM"], row["LIBELLE"]) for row in csv.DictReader(stream)
                if row["TYPECOM"] in ("COM", "ARM")]


def write_rna_file(path: Path, rows: int, *, seed: int = 7) -> dict[str, int]:
    """Write `rows` associations to `path`; returns what was generated (to check against)."""
    rng = random.Random(seed)
    communes = demo_communes() + [("69383", "Lyon 3e Arrondissement")]
    counts = {"rows": rows, "gone": 0, "lyon": 0}
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(HEADER)
        empty = dict.fromkeys(HEADER, "")
        for n in range(1, rows + 1):
            code, name = communes[rng.randrange(len(communes))]
            gone = rng.random() < 0.03
            counts["gone"] += gone
            counts["lyon"] += code == "69383" and not gone
            kind, street = STREETS[n % len(STREETS)]
            title = " ".join((rng.choice(WORDS_1), rng.choice(WORDS_2),
                              rng.choice(WORDS_3).format(commune=name, n=n)))
            row = dict(empty)
            row.update(
                id=f"W{n:09d}",
                id_ex=f"{n % 10_000_000:07d}",
                siret=with_luhn_digit(f"{rng.randrange(10**12, 10**13)}") if n % 5 == 0 else "",
                gestion=code[:2] + "1P",
                date_creat="2001-05-14",
                date_decla="2019-09-02",
                date_publi="2001-06-02",
                date_disso="2022-01-10" if gone else "",
                nature="D",
                groupement="S",
                titre=title,
                titre_court=title[:30],
                objet=OBJETS[n % len(OBJETS)],
                objet_social1="011000",
                adrs_numvoie=str(1 + n % 180),
                adrs_repetition="B" if n % 17 == 0 else "",
                adrs_typevoie=kind,
                adrs_libvoie=street,
                adrs_codeinsee=code,
                adrs_codepostal=code[:2] + "000",
                adrs_libcommune=name.upper(),
                adrg_libvoie=street,
                adrg_codepostal=code[:2] + "000",
                adrg_achemine=name.upper(),
                adrg_pays="FRANCE",
                dir_civilite="PM",
                siteweb=f"https://asso-{n}.example.org" if n % 10 == 0 else "",
                publiweb="0",
                position=("D" if rng.random() < 0.7 else "S") if gone else "A",
                maj_time=f"20{rng.randrange(10, 25)}-{rng.randrange(1, 13):02d}-"
                         f"{rng.randrange(1, 29):02d} {rng.randrange(24):02d}:17:31",
            )
            writer.writerow(row.values())
    return counts
