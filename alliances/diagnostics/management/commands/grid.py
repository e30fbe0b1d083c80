"""alliances grid export SLUG [--version N] --format json|xlsx -o FILE
alliances grid import FILE

Export a version of a maturity grid (its latest published one by default) in the grid
exchange format (see alliances.diagnostics.grids), or import such a file: a new grid, or a
new draft version of an existing one. A bad file is refused whole, every error located.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from alliances.diagnostics.grids import grid_import_file, grid_version_json, grid_version_xlsx
from alliances.diagnostics.models import Grid, GridVersion, GridVersionStatus


class Command(BaseCommand):
    help = "Export or import a maturity grid as JSON or XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        export = commands.add_parser("export", help="write a grid version to a file")
        export.add_argument("slug", help="the grid's slug")
        export.add_argument(
            "--version",
            type=int,
            metavar="N",
            dest="number",
            help="version number (default: the latest published version)",
        )
        export.add_argument("--format", choices=["json", "xlsx"], required=True)
        export.add_argument("-o", "--output", required=True, metavar="FILE")
        load = commands.add_parser("import", help="import a .json or .xlsx grid file")
        load.add_argument("file", metavar="FILE")

    def handle(self, *args, **options) -> None:
        if options["action"] == "export":
            self.export(options)
        else:
            self.load(options["file"])

    def export(self, options: dict) -> None:
        grid = Grid.objects.filter(slug=options["slug"]).first()
        if grid is None:
            raise CommandError(f"No grid with slug “{options['slug']}”.")
        versions = grid.versions.select_related("grid")
        if options["number"] is None:
            version = versions.filter(status=GridVersionStatus.PUBLISHED).order_by("-number")
            chosen: GridVersion | None = version.first()
            if chosen is None:
                raise CommandError(f"“{grid.slug}” has no published version: give --version.")
        else:
            chosen = versions.filter(number=options["number"]).first()
            if chosen is None:
                raise CommandError(f"“{grid.slug}” has no version {options['number']}.")
        content = (
            grid_version_json(chosen)
            if options["format"] == "json"
            else (grid_version_xlsx(chosen))
        )
        try:
            Path(options["output"]).write_bytes(content)
        except OSError as exc:
            raise CommandError(f"{exc.filename}: {exc.strerror}") from exc
        self.stdout.write(f"{grid.slug} v{chosen.number} → {options['output']}")

    def load(self, name: str) -> None:
        try:
            content = Path(name).read_bytes()
        except OSError as exc:
            raise CommandError(f"{exc.filename}: {exc.strerror}") from exc
        try:
            version = grid_import_file(name=name, content=content)
        except ValidationError as exc:
            lines = "\n".join(f"  {message}" for message in exc.messages)
            raise CommandError(f"{name}: nothing was imported.\n{lines}") from exc
        self.stdout.write(
            f"{version.grid.slug}: version {version.number} created as a draft "
            f"({version.criteria.count()} criteria); publish it in the back-office."
        )
