"""`alliances digest --frequency daily`: send a digest now (for cron users without the
scheduler)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from alliances.notifications.delivery import DIGEST_PROCESSES
from alliances.notifications.models import DigestFrequency
from alliances.notifications.services import digest_send


class Command(BaseCommand):
    help = "Send the e-mail digest of the given frequency now; prints the number of mails."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--frequency", required=True,
            choices=[DigestFrequency.DAILY, DigestFrequency.WEEKLY, DigestFrequency.IMMEDIATE],
        )
        parser.add_argument(
            "--processes", type=int, default=DIGEST_PROCESSES,
            help=f"worker processes building and sending the mails (default {DIGEST_PROCESSES})",
        )

    def handle(self, *, frequency: str, processes: int, **options: object) -> None:
        if processes < 1:
            raise CommandError("--processes must be 1 or more")
        sent = digest_send(frequency=frequency, now=timezone.now(), processes=processes)
        self.stdout.write(f"{sent} mail(s) sent")
