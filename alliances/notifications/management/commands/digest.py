"""`alliances digest --frequency daily`: send a digest now (for cron users without the
scheduler)."""

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from alliances.notifications.models import DigestFrequency
from alliances.notifications.services import digest_send


class Command(BaseCommand):
    help = "Send the e-mail digest of the given frequency now; prints the number of mails."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--frequency", required=True,
            choices=[DigestFrequency.DAILY, DigestFrequency.WEEKLY, DigestFrequency.IMMEDIATE],
        )

    def handle(self, *, frequency: str, **options: object) -> None:
        sent = digest_send(frequency=frequency, now=timezone.now())
        self.stdout.write(f"{sent} mail(s) sent")
