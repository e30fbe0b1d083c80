"""The default maturity grid, written for this project, in the grid exchange format.

It is plain data (no Django import): the data migration `0002_default_grid` creates it,
the tests check its shape, and `grids.grid_import_data` reads the same structure (see the
format in `grids.py`). Level descriptions say what one would *see* on the territory at
that level, so that a team can point at evidence rather than give itself a mark.
"""

from typing import Any

LEVELS: list[dict[str, Any]] = [
    {
        "rank": 1,
        "name": "Émergence",
        "description": (
            "Les acteurs se connaissent peu ; quelques initiatives isolées existent, portées "
            "par des personnes plus que par des organisations. La co-construction est une "
            "intention."
        ),
    },
    {
        "rank": 2,
        "name": "Structuration",
        "description": (
            "Des premiers espaces et outils communs se mettent en place ; quelques "
            "partenariats sont formalisés ; le catalyseur est identifié mais son rôle reste "
            "à stabiliser."
        ),
    },
    {
        "rank": 3,
        "name": "Consolidation",
        "description": (
            "La dynamique est régulière et reconnue : des instances se réunissent, des "
            "partenariats sont suivis dans la durée, des moyens sont dédiés et les décisions "
            "se prennent à plusieurs."
        ),
    },
    {
        "rank": 4,
        "name": "Essaimage",
        "description": (
            "La dynamique tient sans dépendre d'une seule personne et inspire au-delà du "
            "territoire : elle se documente, se transmet et s'étend à de nouveaux acteurs et "
            "à de nouvelles fragilités."
        ),
    },
]


def _criterion(code: str, name: str, question: str, *levels: str) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "question": question,
        "levels": [
            {"rank": rank, "description": text} for rank, text in enumerate(levels, start=1)
        ],
    }


AXES: list[dict[str, Any]] = [
    {
        "code": "connaissance-territoire",
        "name": "Connaissance du territoire et de ses fragilités",
        "description": (
            "Savoir ce dont le territoire a besoin, qui y agit et avec qui : la base commune "
            "sur laquelle les acteurs peuvent décider ensemble."
        ),
        "criteria": [
            _criterion(
                "connaissance-diagnostic-partage",
                "Diagnostic partagé des fragilités",
                "Existe-t-il un diagnostic des fragilités du territoire (emploi, vieillissement, "
                "lien social, jeunesse…) écrit et reconnu par plusieurs types d'acteurs ?",
                "Les fragilités sont connues par bribes, à travers l'expérience de chaque "
                "structure ; aucun document commun ne les décrit.",
                "Un premier état des lieux existe (chiffres publics, constats de terrain), "
                "rédigé par une seule structure et diffusé à quelques partenaires.",
                "Un diagnostic partagé des fragilités existe, co-écrit avec au moins trois "
                "types d'acteurs (associations, entreprises, collectivité) et présenté lors "
                "d'une rencontre commune.",
                "Le diagnostic est mis à jour à intervalle régulier avec les acteurs du "
                "territoire, sert de référence aux décisions locales, et sa méthode est reprise "
                "par d'autres territoires.",
            ),
            _criterion(
                "connaissance-cartographie-acteurs",
                "Cartographie des acteurs et de leurs liens",
                "Sait-on qui agit sur le territoire, sur quelles fragilités, et qui travaille "
                "déjà avec qui ?",
                "Le catalyseur connaît surtout les associations de son propre réseau ; les "
                "entreprises, les établissements d'enseignement et les services de l'État sont "
                "peu repérés.",
                "Un annuaire des acteurs existe (tableur ou fichier) et couvre plusieurs types "
                "d'acteurs, sans indiquer les liens entre eux.",
                "Une cartographie tenue à jour présente les acteurs par type et par fragilité, "
                "ainsi que les alliances existantes ; elle fait apparaître les acteurs isolés et "
                "les liens manquants.",
                "La cartographie est ouverte et enrichie par les acteurs eux-mêmes ; elle sert à "
                "susciter de nouvelles alliances et elle est partagée avec les territoires "
                "voisins.",
            ),
            _criterion(
                "connaissance-parole-habitants",
                "Place des habitants et des personnes concernées",
                "La parole des habitants et des personnes touchées par les fragilités "
                "nourrit-elle la connaissance du territoire ?",
                "Les besoins des habitants sont déduits des demandes reçues par les "
                "structures ; personne ne les recueille directement.",
                "Des consultations ponctuelles (questionnaire, réunion publique) ont recueilli "
                "la parole des habitants sur une ou deux fragilités.",
                "Les habitants et les personnes concernées participent régulièrement au recueil "
                "des besoins (ateliers, enquêtes répétées) ; leurs apports figurent dans le "
                "diagnostic.",
                "Des citoyens analysent et mettent à jour le diagnostic aux côtés des "
                "organisations ; leurs constats orientent le choix des priorités.",
            ),
            _criterion(
                "connaissance-donnees-suivi",
                "Données et veille sur le territoire",
                "Le territoire s'appuie-t-il sur des données suivies dans le temps pour observer "
                "l'évolution de ses fragilités ?",
                "Aucune donnée n'est suivie ; les constats reposent sur des impressions ou sur "
                "des chiffres anciens.",
                "Quelques indicateurs publics (INSEE, observatoires) ont été rassemblés une "
                "fois, sans suivi dans le temps.",
                "Un tableau d'indicateurs choisis avec les partenaires est actualisé chaque "
                "année et commenté collectivement.",
                "Les données du territoire alimentent un observatoire local ou national et sont "
                "comparées à celles d'autres territoires pour ajuster les actions.",
            ),
        ],
    },
    {
        "code": "dialogue-territorial",
        "name": "Dialogue territorial",
        "description": (
            "Des espaces où les différents acteurs se rencontrent, parlent des fragilités du "
            "territoire et décident de suites, plutôt que de s'informer mutuellement."
        ),
        "criteria": [
            _criterion(
                "dialogue-instances",
                "Instances de dialogue",
                "Existe-t-il des espaces où les acteurs du territoire se rencontrent "
                "régulièrement pour parler de ses fragilités ?",
                "Les acteurs se croisent lors d'événements organisés par d'autres (forums, "
                "cérémonies), sans espace consacré au dialogue.",
                "Une première rencontre entre plusieurs types d'acteurs a eu lieu ; une suite "
                "est envisagée mais pas encore datée.",
                "Une instance de dialogue se réunit au moins deux fois par an, avec un ordre du "
                "jour, un compte rendu diffusé et des participants de plusieurs types "
                "d'acteurs.",
                "Les acteurs reconnaissent l'instance comme le lieu où se préparent les projets "
                "communs ; d'autres demandent à y entrer et elle inspire d'autres territoires.",
            ),
            _criterion(
                "dialogue-diversite",
                "Diversité des participants",
                "Les rencontres réunissent-elles associations, entreprises, collectivités, "
                "établissements d'enseignement et citoyens ?",
                "Les échanges réunissent surtout des associations entre elles, ou des "
                "associations et la collectivité.",
                "Deux ou trois types d'acteurs sont présents ; les entreprises ou les "
                "établissements d'enseignement restent absents ou ne viennent qu'une fois.",
                "Au moins quatre types d'acteurs participent régulièrement, dont des "
                "entreprises ; la liste des invités est revue pour combler les absences.",
                "La diversité est recherchée et tenue dans la durée, citoyens et acteurs "
                "académiques compris ; les nouveaux venus sont accueillis et accompagnés.",
            ),
            _criterion(
                "dialogue-animation",
                "Animation et suites des échanges",
                "Le dialogue est-il animé pour que chacun s'exprime et que les échanges "
                "débouchent sur des suites concrètes ?",
                "Les réunions servent surtout à informer ; peu de temps est laissé aux échanges.",
                "Des méthodes participatives sont essayées (tours de table, ateliers en petits "
                "groupes), sans relevé systématique des suites.",
                "Chaque rencontre utilise des méthodes d'animation adaptées et se conclut par "
                "des décisions ou des engagements notés, repris à la rencontre suivante.",
                "Plusieurs acteurs formés se partagent l'animation ; les méthodes sont écrites "
                "et transmises à d'autres animateurs du territoire.",
            ),
            _criterion(
                "dialogue-elus-decideurs",
                "Implication des élus et des décideurs",
                "Les élus et les dirigeants des organisations participent-ils au dialogue et "
                "en reprennent-ils les conclusions ?",
                "Les élus et les dirigeants sont informés après coup, sans participer aux "
                "échanges.",
                "Un élu ou un dirigeant participe de temps en temps, pour ouvrir ou clore une "
                "rencontre.",
                "Des élus et des dirigeants d'entreprises et d'associations participent "
                "régulièrement ; les conclusions du dialogue sont présentées en conseil "
                "municipal ou communautaire.",
                "Les décisions publiques et les stratégies des organisations citent le dialogue "
                "territorial comme l'origine de leurs orientations.",
            ),
        ],
    },
    {
        "code": "partenariats-organisations",
        "name": "Partenariats entre organisations",
        "description": (
            "Des alliances entre organisations de types différents — mécénat, pratiques "
            "responsables, coopération économique, innovation sociétale — qui durent et "
            "profitent à chacune."
        ),
        "criteria": [
            _criterion(
                "partenariats-diversite",
                "Nombre et diversité des partenariats",
                "Combien de partenariats entre organisations de types différents sont actifs "
                "sur le territoire, et de quels types ?",
                "Quelques partenariats existent, le plus souvent entre associations ou avec la "
                "collectivité, sous forme de subventions.",
                "Plusieurs partenariats associent des types d'acteurs différents, dont au moins "
                "un avec une entreprise.",
                "Une dizaine de partenariats actifs associent associations, entreprises et "
                "collectivités, et relèvent d'au moins deux types de partenariat (mécénat, "
                "pratiques responsables, coopération économique, innovation sociétale).",
                "Les quatre types de partenariat sont présents ; de nouveaux partenariats "
                "naissent sans que le catalyseur ait à les provoquer.",
            ),
            _criterion(
                "partenariats-formalisation",
                "Formalisation des partenariats",
                "Les partenariats sont-ils écrits (objectifs, engagements de chacun, durée) ?",
                "Les collaborations reposent sur des accords oraux entre personnes ; elles "
                "s'arrêtent quand ces personnes partent.",
                "Certains partenariats font l'objet d'une convention, le plus souvent pour "
                "encadrer un financement.",
                "Les principaux partenariats ont une convention qui précise les objectifs, les "
                "apports de chacun, la durée et le moment du bilan.",
                "Tous les partenaires formalisent leurs alliances ; des modèles de convention "
                "communs sont utilisés et partagés avec d'autres territoires.",
            ),
            _criterion(
                "partenariats-entreprises",
                "Engagement des entreprises",
                "Les entreprises du territoire s'engagent-elles au-delà du don ponctuel ?",
                "Les entreprises sont sollicitées de temps en temps pour un don ou un lot, sans "
                "relation suivie.",
                "Quelques entreprises pratiquent un mécénat régulier (financier, en nature ou de "
                "compétences) auprès d'associations du territoire.",
                "Des entreprises construisent des projets avec des associations (pratiques "
                "responsables, coopération économique) et participent aux instances de "
                "dialogue.",
                "Un collectif d'entreprises engagées porte lui-même des initiatives sur les "
                "fragilités du territoire et en entraîne d'autres.",
            ),
            _criterion(
                "partenariats-reciprocite",
                "Réciprocité et valeur partagée",
                "Chaque partenaire retire-t-il du partenariat une valeur reconnue, au-delà de "
                "la relation entre financeur et bénéficiaire ?",
                "La relation est à sens unique : l'un donne, l'autre reçoit.",
                "Les partenaires savent ce que chacun apporte, mais ce que chacun en retire "
                "n'est pas dit.",
                "Les apports et les bénéfices de chaque partenaire sont écrits et revus lors du "
                "bilan annuel ; les entreprises reconnaissent les savoir-faire associatifs.",
                "Les partenaires conçoivent ensemble des offres ou des solutions nouvelles dont "
                "la valeur est partagée, et en témoignent publiquement.",
            ),
            _criterion(
                "partenariats-suivi-duree",
                "Suivi et durée des partenariats",
                "Les partenariats durent-ils, et sont-ils suivis régulièrement ?",
                "La plupart des partenariats durent moins d'un an et personne n'en suit le "
                "déroulement.",
                "Le catalyseur tient une liste des partenariats, avec leurs dates et leur état.",
                "Chaque partenariat a un point de bilan annuel ; la majorité dure plus de deux "
                "ans.",
                "Les partenariats sont suivis sur 36 mois et plus ; les difficultés sont "
                "traitées ensemble et les fins de partenariat sont préparées.",
            ),
        ],
    },
    {
        "code": "experimentations-collectives",
        "name": "Expérimentations collectives",
        "description": (
            "Des projets conçus et conduits à plusieurs pour essayer des réponses nouvelles "
            "aux fragilités du territoire, avec le droit de se tromper et d'ajuster."
        ),
        "criteria": [
            _criterion(
                "experimentations-projets-communs",
                "Émergence de projets communs",
                "Des projets sont-ils conçus par plusieurs acteurs pour répondre à une fragilité "
                "identifiée ?",
                "Chaque structure mène ses propres projets ; les idées communes restent au stade "
                "de la discussion.",
                "Plusieurs acteurs ont formulé ensemble une idée de projet autour d'une "
                "fragilité précise.",
                "Au moins une expérimentation collective est en cours, avec des rôles répartis "
                "entre acteurs de types différents et un calendrier.",
                "Plusieurs expérimentations sont conduites chaque année ; le territoire a une "
                "méthode pour passer d'une idée à un projet commun.",
            ),
            _criterion(
                "experimentations-droit-erreur",
                "Prise de risque et droit à l'erreur",
                "Les acteurs acceptent-ils d'essayer, de se tromper et d'ajuster ?",
                "Un échec est vécu comme une faute ; on ne lance que ce qui est sûr de réussir.",
                "Une expérimentation de petite taille et de durée limitée a été tentée, sans "
                "retour organisé sur ce qui n'a pas marché.",
                "Les expérimentations prévoient des points d'étape où l'on ajuste ou arrête ; "
                "les échecs sont discutés ouvertement entre partenaires.",
                "Les enseignements des échecs sont écrits et partagés ; les financeurs "
                "acceptent le caractère expérimental et soutiennent les ajustements.",
            ),
            _criterion(
                "experimentations-personnes-concernees",
                "Participation des personnes concernées",
                "Les personnes touchées par la fragilité participent-elles à la conception et "
                "à la conduite des expérimentations ?",
                "Les personnes concernées reçoivent les actions sans être consultées.",
                "Les personnes concernées sont consultées avant le lancement, par questionnaire "
                "ou en réunion.",
                "Des personnes concernées font partie du groupe qui conçoit et suit "
                "l'expérimentation.",
                "Des personnes concernées copilotent des expérimentations et en présentent "
                "elles-mêmes les résultats aux décideurs.",
            ),
            _criterion(
                "experimentations-perennisation",
                "Pérennisation et changement d'échelle",
                "Les expérimentations réussies deviennent-elles des actions durables, ou "
                "sont-elles reprises ailleurs ?",
                "Les expérimentations s'arrêtent à la fin de leur financement initial.",
                "Une expérimentation a été prolongée au-delà de sa phase de test, sans modèle "
                "stabilisé.",
                "Une expérimentation réussie est devenue une action durable, avec un porteur et "
                "des financements identifiés.",
                "Des expérimentations du territoire sont reprises par d'autres territoires ou "
                "inscrites dans des politiques publiques.",
            ),
        ],
    },
    {
        "code": "gouvernance-pilotage",
        "name": "Gouvernance et pilotage",
        "description": (
            "Qui relie les acteurs, qui décide et selon quelle feuille de route : la "
            "dynamique est-elle pilotée à plusieurs ?"
        ),
        "criteria": [
            _criterion(
                "gouvernance-catalyseur",
                "Rôle reconnu du catalyseur",
                "Un catalyseur territorial est-il identifié et reconnu par les acteurs pour "
                "faire le lien entre eux ?",
                "Personne n'a pour mission de relier les acteurs ; les liens se créent au gré "
                "des rencontres.",
                "Une structure (maison des associations, agence de développement local, "
                "tiers-lieu) joue le rôle de catalyseur de fait, sans mission explicite.",
                "Le rôle du catalyseur est écrit et reconnu par la collectivité et par les "
                "principaux partenaires ; ses métiers (dialogue territorial, expérimentations "
                "collectives, accompagnements, gestion d'un lieu) sont précisés.",
                "Le catalyseur est reconnu au-delà du territoire ; il partage sa pratique avec "
                "d'autres catalyseurs et forme de nouveaux relais.",
            ),
            _criterion(
                "gouvernance-pilotage-partage",
                "Pilotage partagé",
                "Les décisions sur la dynamique de co-construction sont-elles prises à plusieurs ?",
                "Une seule structure décide et informe les autres.",
                "Un petit groupe de partenaires est consulté avant les décisions importantes.",
                "Un comité de pilotage réunissant plusieurs types d'acteurs fixe les priorités, "
                "selon des règles de fonctionnement écrites.",
                "La gouvernance se renouvelle : les rôles tournent, de nouveaux acteurs y "
                "entrent et les règles sont revues ensemble.",
            ),
            _criterion(
                "gouvernance-feuille-de-route",
                "Feuille de route commune",
                "Les acteurs ont-ils une feuille de route commune, avec des objectifs et des "
                "échéances ?",
                "Aucun objectif commun n'est écrit ; chacun poursuit les siens.",
                "Des objectifs communs ont été formulés lors d'une rencontre, sans plan "
                "d'actions ni échéances.",
                "Une feuille de route écrite fixe des objectifs, des actions, des responsables "
                "et des échéances ; elle est revue au moins une fois par an.",
                "La feuille de route est reprise dans les documents stratégiques des "
                "partenaires et de la collectivité (projet de territoire, contrat de ville…).",
            ),
            _criterion(
                "gouvernance-collectivite",
                "Place de la collectivité",
                "La collectivité territoriale soutient-elle la co-construction sans la diriger "
                "seule ?",
                "La collectivité ignore la dynamique, ou la voit comme une affaire d'associations.",
                "La collectivité apporte un soutien ponctuel (salle, subvention) et assiste à "
                "certaines rencontres.",
                "La collectivité est un partenaire à part entière : elle participe au pilotage, "
                "y engage des moyens et laisse d'autres acteurs porter des projets.",
                "La co-construction est devenue une manière de conduire l'action publique "
                "locale, qui résiste aux changements d'équipe municipale.",
            ),
        ],
    },
    {
        "code": "ressources-modele-economique",
        "name": "Ressources et modèle économique",
        "description": (
            "Les moyens humains, matériels et financiers de la dynamique, et leur solidité : "
            "tiendrait-elle si un financeur se retirait ?"
        ),
        "criteria": [
            _criterion(
                "ressources-financements",
                "Diversité des financements",
                "La dynamique dépend-elle d'un seul financeur, ou ses ressources sont-elles "
                "diversifiées ?",
                "La dynamique repose sur un financement unique, souvent annuel, ou sur du temps "
                "bénévole non reconnu.",
                "Deux ou trois sources de financement existent (subvention, appel à projets, "
                "mécénat), sans visibilité au-delà d'un an.",
                "Les ressources combinent financements publics, mécénat d'entreprises et "
                "fondations, avec des engagements sur plusieurs années.",
                "Le modèle économique est stable et diversifié, recettes propres ou coopérations "
                "économiques comprises ; la dynamique survivrait au départ d'un financeur.",
            ),
            _criterion(
                "ressources-temps-competences",
                "Temps et compétences consacrés",
                "Des personnes ont-elles du temps et des compétences reconnus pour animer la "
                "co-construction ?",
                "L'animation repose sur la bonne volonté de quelques personnes, en plus de "
                "leurs missions.",
                "Une part du temps d'un salarié ou d'un bénévole est explicitement consacrée à "
                "l'animation.",
                "Au moins un poste, ou son équivalent partagé entre partenaires, est consacré à "
                "la dynamique, avec une fiche de mission et une formation.",
                "Les compétences d'animation sont réparties chez plusieurs partenaires ; les "
                "départs sont anticipés et les savoir-faire transmis.",
            ),
            _criterion(
                "ressources-mutualisation",
                "Mutualisation des moyens",
                "Les acteurs mettent-ils en commun des moyens (locaux, matériel, compétences, "
                "outils) ?",
                "Chaque structure n'utilise que ses propres moyens.",
                "Quelques acteurs se prêtent de temps en temps une salle ou du matériel.",
                "Des moyens sont mutualisés de façon organisée (lieu partagé, outils communs, "
                "mécénat de compétences), avec des règles d'usage.",
                "La mutualisation est une pratique courante et ouverte : un lieu ou un outil "
                "commun est géré collectivement et accueille de nouveaux acteurs.",
            ),
            _criterion(
                "ressources-apports-non-financiers",
                "Valorisation des apports non financiers",
                "Les apports en nature, en compétences et en bénévolat sont-ils comptés et "
                "reconnus ?",
                "Les apports non financiers ne sont pas comptés ; ils restent invisibles dans "
                "les bilans.",
                "Certains apports (prêt de salle, mécénat de compétences) sont notés, sans être "
                "chiffrés.",
                "Les apports en nature, en compétences et en bénévolat sont chiffrés, en temps "
                "ou en euros, dans les bilans des projets communs.",
                "Tous les partenaires chiffrent leurs apports de la même façon et les présentent "
                "aux financeurs comme une part du modèle économique.",
            ),
        ],
    },
    {
        "code": "evaluation-capitalisation",
        "name": "Évaluation et capitalisation",
        "description": (
            "Mesurer ce que la co-construction change pour le territoire, garder trace de ce "
            "qui a été appris et le transmettre : se nourrir et contribuer."
        ),
        "criteria": [
            _criterion(
                "evaluation-mesure-effets",
                "Mesure des effets",
                "Les effets de la co-construction sur les fragilités du territoire sont-ils "
                "observés et mesurés ?",
                "On compte les activités (réunions, participants) sans regarder leurs effets.",
                "Quelques indicateurs d'effets sont définis pour un projet et relevés une fois.",
                "Des indicateurs d'effets choisis avec les partenaires sont suivis dans le temps "
                "et présentés lors de bilans communs (T0, fin de parcours, 36 mois).",
                "L'évaluation associe les personnes concernées et un regard extérieur (acteur "
                "académique, observatoire) ; ses résultats font évoluer la feuille de route.",
            ),
            _criterion(
                "evaluation-capitalisation-pratiques",
                "Capitalisation des pratiques",
                "Ce qui a été appris est-il écrit, rangé et retrouvable par d'autres ?",
                "Les savoir-faire restent dans la tête des personnes ; rien n'est écrit.",
                "Des comptes rendus et des documents existent, dispersés chez les uns et les "
                "autres.",
                "Les pratiques sont décrites dans des fiches (méthodes, outils, témoignages) "
                "rangées dans un espace partagé que les partenaires connaissent.",
                "Les fiches du territoire sont publiées dans un centre de ressources ouvert et "
                "utilisées par d'autres territoires.",
            ),
            _criterion(
                "evaluation-partage-pairs",
                "Partage avec les pairs",
                "Le territoire partage-t-il son expérience avec d'autres territoires, et "
                "apprend-il d'eux ?",
                "Le territoire ne connaît pas les démarches voisines et ne présente pas la sienne.",
                "Des acteurs participent à des rencontres extérieures (webinaires, journées) et "
                "en rapportent des idées.",
                "Le territoire présente sa démarche à ses pairs (co-développement, "
                "témoignages) et adapte des pratiques venues d'ailleurs.",
                "Le territoire accompagne d'autres territoires dans leur démarche et contribue "
                "au référentiel commun de la co-construction.",
            ),
        ],
    },
]

DEFAULT_GRID: dict[str, Any] = {
    "format": "alliances-grid",
    "format_version": 1,
    "grid": {
        "slug": "co-construction-territoriale",
        "name": "Grille de maturité de la co-construction territoriale",
        "description": (
            "Sept axes, des connaissances du territoire à l'évaluation, pour situer une "
            "dynamique de co-construction territoriale (bilan), choisir où l'emmener (cible) "
            "et suivre le chemin parcouru (trajectoire). Chaque niveau décrit ce que l'on "
            "observe sur le territoire."
        ),
    },
    "version": {"number": 1, "note": "Première version."},
    "levels": LEVELS,
    "axes": AXES,
}
