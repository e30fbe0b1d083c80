from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from alliances.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Load an archive made by 'alliances backup' into this instance, which must be "
        "migrated and empty (--force deletes its data first). All or nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", help="The .tar.gz written by 'alliances backup'.")
        parser.add_argument(
            "--force", action="store_true",
            help="Delete this database's data first, if it holds any (media files of the same "
                 "name are replaced, others kept).",
        )

    def handle(self, *args, archive: str, force: bool = False, **options) -> None:
        try:
            report = backup_restore(path=archive, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("Restored %(archive)s (made %(created)s by version %(version)s on %(vendor)s): "
              "%(rows)s rows of %(models)s models, %(files)s media files.")
            % {"archive": archive, "created": report.manifest.get("created_at"),
               "version": report.manifest.get("app_version"),
               "vendor": report.manifest.get("database_vendor"), "rows": report.rows,
               "models": report.models, "files": report.media_files}
        )
