"""alliances export-resources --format csv|json [-o FILE]"""

import sys
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
        rows = opendata.records()
        chunks = (
            opendata.csv_lines(rows) if options["format"] == "csv"
            else opendata.json_chunks(rows)
        )
        if not options["output"]:
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
            return
        count = 0
        try:
            with Path(options["output"]).open("w", encoding="utf-8", newline="") as out:
                for chunk in chunks:
                    out.write(chunk)
                    count += 1
        except OSError as exc:
            raise CommandError(f"{exc.filename}: {exc.strerror}") from exc
        # Chunks are the header (or opening bracket) and one per resource.
        resources = count - 1 if options["format"] == "csv" else count - 2
        sys.stderr.write(f"{resources} resources → {options['output']}\n")
