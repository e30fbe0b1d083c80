from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write one archive (.tar.gz) of the database and the media files, which "
        "'alliances restore' loads into an empty instance, on SQLite or PostgreSQL."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "archive", nargs="?",
            help="File to write (default: alliances-backup-<date>-<time>.tar.gz here).",
        )

    def handle(self, *args, archive: str | None = None, **options) -> None:
        path = Path(archive or timezone.now().strftime("alliances-backup-%Y%m%d-%H%M%S.tar.gz"))
        try:
            report = backup_create(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("Backup written to %(path)s: %(rows)s rows of %(models)s models, %(files)s media "
              "files, %(size)s bytes.")
            % {"path": report.path, "rows": report.rows, "models": report.models,
               "files": report.media_files, "size": report.size}
        )
