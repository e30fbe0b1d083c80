"""alliances import-rna FILE [--departement 35 ...] [--communes 35238,35047] [--batch 5000]"""

from alliances.actors.registry import rna_import

from .import_sirene import RegistryCommand


class Command(RegistryCommand):
    help = (
        "Import the associations of the RNA (Répertoire national des associations) from the "
        "'waldec' file as published: streamed, filtered, upserted by RNA number, resumable."
    )
    service = staticmethod(rna_import)
