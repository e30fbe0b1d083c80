"""alliances import-sirene FILE [--departement 35 ...] [--communes 35238,35047] [--batch 5000]"""

import os
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from alliances.actors.registry import DEFAULT_BATCH, RegistryFileError, sirene_import
from alliances.lib.opendata.reading import Progress


class RegistryCommand(BaseCommand):
    """What import-rna and import-sirene share: options, progress line, summary."""

    service = staticmethod(sirene_import)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="the registry's CSV file")
        parser.add_argument(
            "--departement", nargs="+", default=[], metavar="CODE",
            help="keep the rows of these départements (35, 2A, 971…)",
        )
        parser.add_argument(
            "--communes", default="", metavar="CODES",
            help="keep the rows of these communes: INSEE codes, comma-separated",
        )
        parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, metavar="N",
                            help=f"rows written per transaction (default {DEFAULT_BATCH})")
        parser.add_argument("--quiet", action="store_true", help="no progress line")

    def handle(self, *args, **options) -> None:
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1")
        try:
            size = os.path.getsize(options["file"])
        except OSError as exc:
            raise CommandError(f"{options['file']}: {exc.strerror}") from exc
        progress = Progress(
            size,
            {"rows": _("lines"), "rate": _("lines/s"), "left": _("left")},
            stream=sys.stderr,
            enabled=not options["quiet"],
        )
        try:
            report = self.service(
                options["file"],
                departements=options["departement"],
                communes=[options["communes"]] if options["communes"] else [],
                batch_size=options["batch"],
                progress=progress,
                notify=lambda text: self.stderr.write(text),
            )
        except RegistryFileError as exc:
            raise CommandError(_("%(error)s (nothing was imported)") % {"error": exc}) from exc
        for problem in report.problems:
            self.stderr.write(problem)
        if report.problem_count > len(report.problems):
            self.stderr.write(
                _("… and %(count)s more") % {"count": report.problem_count - len(report.problems)}
            )
        self.stdout.write(report.summary())


class Command(RegistryCommand):
    help = (
        "Import the open establishments of SIRENE's StockEtablissement file: streamed, "
        "filtered, NAF activity mapped to sectors, upserted by SIRET, resumable."
    )
