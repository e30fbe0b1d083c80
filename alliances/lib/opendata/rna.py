"""The RNA (Répertoire national des associations) "waldec" file, as the Ministry of the
Interior publishes it: `;`-separated, double-quoted, one association a row."""

import operator
import re

from .records import (
    DESCRIPTION_MAX,
    NAME_MAX,
    Malformed,
    Record,
    Skip,
    clean_siret,
    clean_url,
    column_indexes,
    join_address,
    parse_timestamp,
    truncate,
)

SOURCE = "rna"
DELIMITER = ";"
HEADER = (
    "id;id_ex;siret;rup_mi;gestion;date_creat;date_decla;date_publi;date_disso;nature;"
    "groupement;titre;titre_court;objet;objet_social1;objet_social2;adrs_complement;"
    "adrs_numvoie;adrs_repetition;adrs_typevoie;adrs_libvoie;adrs_distrib;adrs_codeinsee;"
    "adrs_codepostal;adrs_libcommune;adrg_declarant;adrg_complemid;adrg_complemgeo;"
    "adrg_libvoie;adrg_distrib;adrg_codepostal;adrg_achemine;adrg_pays;dir_civilite;"
    "siteweb;publiweb;observation;position;maj_time"
).split(";")
REQUIRED = (
    "id", "siret", "titre", "objet", "adrs_numvoie", "adrs_repetition", "adrs_typevoie",
    "adrs_libvoie", "adrs_codeinsee", "siteweb", "position", "maj_time",
)
OPTIONAL = ("titre_court",)
RNA_RE = re.compile(r"^W\d{9}$")
# position: A active, D dissoute, S supprimée.
GONE = frozenset({"D", "S"})


class RnaReader:
    """Maps the rows of one waldec file (its header given) to records."""

    source = SOURCE
    delimiter = DELIMITER
    key = "rna"

    def __init__(self, header: list[str]) -> None:
        self.width = len(header)
        c = column_indexes(header, REQUIRED, OPTIONAL)
        self.i_id, self.i_siret, self.i_titre = c["id"], c["siret"], c["titre"]
        self.i_court = c.get("titre_court")
        self.i_objet, self.i_insee, self.i_web = c["objet"], c["adrs_codeinsee"], c["siteweb"]
        self.i_address = (c["adrs_numvoie"], c["adrs_repetition"], c["adrs_typevoie"],
                          c["adrs_libvoie"])
        self.address_of = operator.itemgetter(*self.i_address)
        self.i_position, self.i_maj = c["position"], c["maj_time"]

    def commune_of(self, values: list[str]) -> str:
        """The row's commune code as published (read before the rest, to filter cheaply)."""
        return values[self.i_insee].strip()

    def parse(self, values: list[str]) -> Record | Skip:
        if len(values) != self.width:
            raise Malformed(f"{len(values)} fields instead of {self.width}")
        number = values[self.i_id].strip().upper()
        if not RNA_RE.match(number):
            raise Malformed(f"{number!r} is not an RNA number (W followed by 9 digits)")
        if values[self.i_position].strip().upper() in GONE:
            return Skip("dissolved", number)
        name = values[self.i_titre].strip()
        if not name and self.i_court is not None:
            name = values[self.i_court].strip()
        if not name:
            raise Malformed(f"{number}: no title")
        number_, repetition, kind, street = self.address_of(values)
        return Record(
            key=number,
            rna=number,
            name=name[:NAME_MAX].strip(),
            type="association",
            commune=values[self.i_insee].strip(),
            siret=clean_siret(values[self.i_siret]),
            address=join_address(number_.strip() + repetition.strip(), kind, street),
            website=clean_url(values[self.i_web]),
            description=truncate(values[self.i_objet], DESCRIPTION_MAX),
            updated_at=parse_timestamp(values[self.i_maj]),
        )
