"""alliances export-resources --format csv|json [-o FILE]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alliances.resources import opendata


class Command(BaseCommand):
    help = (
        "Export the published catalogue as open data (the columns of import-resources plus "
        "id, url, organisations, contributor, published_at), to FILE or standard output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["csv", "json"], required=True)
        parser.add_argument("-o", "--output", metavar="FILE", help="default: standard output")

    def handle(self, *args, **options) -> None:
        counted = 0

        def rows():
            nonlocal counted
            for row in opendata.records():
                counted += 1
                yield row

        chunks = (
            opendata.csv_lines(rows()) if options["format"] == "csv"
            else opendata.json_chunks(rows())
        )
        if not options["output"]:
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
            return
        try:
            with Path(options["output"]).open("w", encoding="utf-8", newline="") as out:
                out.writelines(chunks)
        except OSError as exc:
            raise CommandError(f"{exc.filename}: {exc.strerror}") from exc
        self.stderr.write(f"{counted} resources → {options['output']}")
