"""SIRENE establishments: INSEE's StockEtablissement CSV (`,`-separated, one establishment
a row, every establishment ever registered, open or closed)."""

from alliances.lib.identifiers import siret_error

from .naf import naf_section, normalise_naf
from .records import (
    NAME_MAX,
    Malformed,
    Record,
    Skip,
    column_indexes,
    join_address,
    parse_timestamp,
)

SOURCE = "sirene"
DELIMITER = ","
REQUIRED = (
    "siret", "statutDiffusionEtablissement", "codeCommuneEtablissement",
    "etatAdministratifEtablissement", "enseigne1Etablissement",
    "denominationUsuelleEtablissement", "activitePrincipaleEtablissement",
    "numeroVoieEtablissement", "typeVoieEtablissement", "libelleVoieEtablissement",
)
OPTIONAL = (
    "nomenclatureActivitePrincipaleEtablissement", "indiceRepetitionEtablissement",
    "dateDernierTraitementEtablissement", "enseigne2Etablissement", "enseigne3Etablissement",
)
# NAF 94.99Z "autres organisations fonctionnant par adhésion volontaire": associations
# with a SIRET. Every other establishment is a company (entreprise): the establishment
# file has no legal category (that is in StockUniteLegale) to tell more.
ASSOCIATION_NAF = frozenset({"94.99Z"})
# The name of an establishment that publishes none: data, stored in the site's language.
UNNAMED = "Établissement {siret}"
# Abbreviations of the street types SIRENE uses.
STREET_TYPES = {
    "AV": "avenue", "BD": "boulevard", "CHE": "chemin", "IMP": "impasse", "PL": "place",
    "QUAI": "quai", "RTE": "route", "RUE": "rue", "ALL": "allée", "CRS": "cours",
    "ZA": "ZA", "ZI": "ZI", "ZAC": "ZAC", "LD": "lieu-dit", "SQ": "square", "PAS": "passage",
    "FG": "faubourg", "RPT": "rond-point", "PROM": "promenade", "SEN": "sentier",
}


class SireneReader:
    source = SOURCE
    delimiter = DELIMITER
    key = "siret"

    def __init__(self, header: list[str]) -> None:
        self.width = len(header)
        c = column_indexes(header, REQUIRED, OPTIONAL)
        self.c = c
        self.i_siret, self.i_diffusion = c["siret"], c["statutDiffusionEtablissement"]
        self.i_commune, self.i_state = c["codeCommuneEtablissement"], c[
            "etatAdministratifEtablissement"]
        self.i_names = (c["denominationUsuelleEtablissement"], c["enseigne1Etablissement"],
                        c.get("enseigne2Etablissement"), c.get("enseigne3Etablissement"))
        self.i_naf = c["activitePrincipaleEtablissement"]
        self.i_nomenclature = c.get("nomenclatureActivitePrincipaleEtablissement")
        self.i_address = (c["numeroVoieEtablissement"], c.get("indiceRepetitionEtablissement"),
                          c["typeVoieEtablissement"], c["libelleVoieEtablissement"])
        self.i_date = c.get("dateDernierTraitementEtablissement")

    def commune_of(self, values: list[str]) -> str:
        return values[self.i_commune].strip()

    def parse(self, values: list[str]) -> Record | Skip:
        if len(values) != self.width:
            raise Malformed(f"{len(values)} fields instead of {self.width}")
        siret = values[self.i_siret].strip()
        if siret_error(siret) is not None:
            raise Malformed(f"{siret!r} is not a SIRET number (14 digits, check digit)")
        if values[self.i_state].strip().upper() != "A":
            return Skip("closed", siret)
        # P: partially diffusible (the person opposed the publication of name and address,
        # which come as "[ND]"): not republished here.
        if values[self.i_diffusion].strip().upper() not in ("O", ""):
            return Skip("not_diffusible")
        name = next(
            (values[i].strip() for i in self.i_names if i is not None and values[i].strip()),
            "",
        ) or UNNAMED.format(siret=siret)
        nomenclature = (
            values[self.i_nomenclature].strip() if self.i_nomenclature is not None else ""
        )
        naf = normalise_naf(values[self.i_naf])
        section = naf_section(naf) if nomenclature in ("NAFRev2", "") else None
        if nomenclature not in ("NAFRev2", ""):
            naf = ""  # an older nomenclature (NAFRev1, NAP): not comparable
        number, repetition, kind, street = (
            values[i].strip() if i is not None else "" for i in self.i_address
        )
        return Record(
            key=siret,
            siret=siret,
            name=name[:NAME_MAX].strip(),
            type="association" if naf in ASSOCIATION_NAF else "entreprise",
            commune=values[self.i_commune].strip(),
            address=join_address(number + repetition, STREET_TYPES.get(kind.upper(), kind),
                                 street),
            naf=naf,
            section=section,
            updated_at=(
                parse_timestamp(values[self.i_date]) if self.i_date is not None else None
            ),
        )
