"""The référentiel de la co-construction territoriale as shipped: three parts, their
chapters and the questions each chapter answers. Written in French, like the seed it comes
from; admins edit the tree afterwards in the back-office.

Each entry: (title, description, children).
"""

DEFAULT_REFERENTIEL = [
    (
        "Les enjeux des territoires",
        "Pourquoi co-construire : les fragilités du territoire, les acteurs qui y font "
        "face, et ce qu'aucun d'eux ne peut faire seul.",
        [
            (
                "Connaître son territoire et ses fragilités",
                "",
                [
                    ("Quelles sont les fragilités prioritaires de notre territoire ?", "", []),
                    ("Quelles données mobiliser pour les objectiver ?", "", []),
                ],
            ),
            (
                "Les acteurs et leurs attentes",
                "",
                [
                    ("Qui agit déjà sur ces fragilités, et avec qui ?", "", []),
                    (
                        "Qu'attendent les associations, les entreprises et les collectivités "
                        "les unes des autres ?",
                        "",
                        [],
                    ),
                ],
            ),
            (
                "Pourquoi s'allier",
                "",
                [("Qu'apporte une alliance qu'aucun acteur ne peut apporter seul ?", "", [])],
            ),
        ],
    ),
    (
        "Les formes de la co-construction",
        "Dialogue territorial, partenariats entre organisations, expérimentations "
        "collectives : trois façons d'agir ensemble.",
        [
            (
                "Le dialogue territorial",
                "",
                [
                    ("Comment réunir des acteurs qui ne se connaissent pas ?", "", []),
                    ("Quelles instances de dialogue existent déjà sur le territoire ?", "", []),
                ],
            ),
            (
                "Les partenariats entre organisations",
                "",
                [
                    (
                        "Mécénat, pratiques responsables, coopération économique, innovation "
                        "sociétale : quel type de partenariat choisir ?",
                        "",
                        [],
                    ),
                    (
                        "Comment formaliser un partenariat (convention, gouvernance, "
                        "valorisation) ?",
                        "",
                        [],
                    ),
                ],
            ),
            (
                "Les expérimentations collectives",
                "",
                [
                    ("Comment lancer une expérimentation à plusieurs ?", "", []),
                    ("Comment évaluer et essaimer une expérimentation ?", "", []),
                ],
            ),
        ],
    ),
    (
        "La mise en œuvre d'une dynamique de co-construction",
        "Le rôle du catalyseur, le bilan, la cible et la trajectoire, la gouvernance et "
        "l'évaluation dans la durée.",
        [
            (
                "Le rôle du catalyseur territorial",
                "",
                [
                    (
                        "Quels métiers pour le catalyseur : dialogue, expérimentations, "
                        "accompagnements, gestion d'un lieu ?",
                        "",
                        [],
                    ),
                ],
            ),
            (
                "Bilan, cible et trajectoire",
                "",
                [
                    ("Où en est notre territoire, et où voulons-nous aller ?", "", []),
                    ("Quelles actions, avec qui, et à quel horizon ?", "", []),
                ],
            ),
            (
                "Gouvernance et modèle économique",
                "",
                [("Qui pilote la dynamique, et comment la financer ?", "", [])],
            ),
            (
                "Évaluer et capitaliser",
                "",
                [("Comment mesurer l'impact des alliances dans la durée ?", "", [])],
            ),
        ],
    ),
]
