"""alliances reindex-resources"""

import time

from django.core.management.base import BaseCommand, CommandParser

from alliances.resources.models import Resource
from alliances.resources.services import search_index_rebuild


class Command(BaseCommand):
    help = "Empty the resources' search index and index every published resource again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=1000, metavar="N",
            help="resources read and indexed at a time (default: 1000)",
        )

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        total = Resource.objects.published().count()
        self.stdout.write(
            f"Indexing {total} published resources, {options['batch_size']} at a time…"
        )
        self.stdout.flush()
        count = search_index_rebuild(batch_size=options["batch_size"])
        self.stdout.write(
            f"{count} resources indexed in {time.perf_counter() - started:.1f} s."
        )
