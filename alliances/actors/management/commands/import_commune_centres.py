"""alliances import-commune-centres FILE"""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from alliances.actors.registry import commune_centres_import
from alliances.lib.cog import ImportFileError


class Command(BaseCommand):
    help = (
        "Set the centres (latitude, longitude) of the known communes from a CSV: INSEE code "
        "and latitude/longitude columns, or one 'lat, lon' column (La Poste, Opendatasoft). "
        "All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="CSV file, ',' or ';' separated")

    def handle(self, *args, **options) -> None:
        try:
            report = commune_centres_import(options["file"])
        except ImportFileError as exc:
            raise CommandError(_("%(error)s (nothing was imported)") % {"error": exc}) from exc
        except OSError as exc:
            raise CommandError(f"{exc.filename}: {exc.strerror}") from exc
        for code in report.unknown_codes:
            self.stderr.write(_("unknown commune, line %(line)s") % {"line": code})
        self.stdout.write(report.summary())
