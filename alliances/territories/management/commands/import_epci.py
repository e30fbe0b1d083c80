"""alliances import-epci FILE [--encoding ENC]"""

from django.core.management.base import BaseCommand, CommandParser

from alliances.lib.cog import ImportFileError
from alliances.territories.management.importing import error
from alliances.territories.services import epcis_import


class Command(BaseCommand):
    help = (
        "Import EPCI and the communes they group from INSEE's file "
        "(Intercommunalité - Métropole au 01-01-20xx.xlsx, or a CSV of its sheets). "
        "All or nothing; import communes first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="EPCI file, XLSX or CSV")
        parser.add_argument(
            "--encoding",
            metavar="ENC",
            help="encoding of a CSV file when not UTF-8: latin-1 or cp1252",
        )

    def handle(self, *args, **options) -> None:
        try:
            report = epcis_import(path=options["file"], encoding=options["encoding"])
        except ImportFileError as exc:
            raise error(f"{exc} (nothing was imported)") from exc
        except OSError as exc:
            raise error(f"{exc.filename}: {exc.strerror}") from exc
        for line in report.lines():
            self.stdout.write(line)
