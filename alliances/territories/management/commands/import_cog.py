"""alliances import-cog --communes FILE [--populations FILE] [--encoding ENC]"""

from django.core.management.base import BaseCommand, CommandParser

from alliances.lib.cog import ImportFileError
from alliances.territories.management.importing import error
from alliances.territories.services import communes_import


class Command(BaseCommand):
    help = (
        "Import communes and their subdivisions from INSEE's Code officiel géographique "
        "(v_commune_20xx.csv), optionally with the populations légales. All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--communes", required=True, metavar="FILE", help="COG communes CSV file"
        )
        parser.add_argument(
            "--populations",
            metavar="FILE",
            help="populations légales file (CSV or XLSX; COM and PMUN columns)",
        )
        parser.add_argument(
            "--encoding",
            metavar="ENC",
            help="encoding of the CSV files when not UTF-8: latin-1 or cp1252",
        )

    def handle(self, *args, **options) -> None:
        try:
            report = communes_import(
                path=options["communes"],
                encoding=options["encoding"],
                populations_path=options["populations"],
            )
        except ImportFileError as exc:
            raise error(f"{exc} (nothing was imported)") from exc
        except OSError as exc:
            raise error(f"{exc.filename}: {exc.strerror}") from exc
        for line in report.lines():
            self.stdout.write(line)
