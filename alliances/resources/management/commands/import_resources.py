"""alliances import-resources FILE [--files DIR] [--status publiee|brouillon]
[--contributor EMAIL] [--dry-run]"""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alliances.accounts.models import User
from alliances.resources.importer import (
    OPTIONAL,
    REQUIRED,
    ImportFileError,
    ImportRejected,
    resources_import,
)
from alliances.resources.models import ResourceKind, ResourceStatus


class Command(BaseCommand):
    help = (
        "Import resources from a CSV (UTF-8, ',' or ';') or XLSX file, all or nothing. "
        f"Columns: {', '.join(REQUIRED)} (required), {', '.join(OPTIONAL)} (optional); "
        f"kinds by code: {', '.join(ResourceKind.values)}; tags, référentiel numbers or "
        "titles, links (URL or title|URL) and file names are ';'-separated. Every bad row "
        "is reported by line and column and then nothing is imported. A row whose title "
        "and kind are already in the centre (or earlier in the file) is skipped and "
        "reported: importing the same file again creates no duplicates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="a .csv or .xlsx file")
        parser.add_argument(
            "--files", metavar="DIR", help="the folder holding the files named in 'files'"
        )
        parser.add_argument(
            "--status", choices=[ResourceStatus.PUBLISHED, ResourceStatus.DRAFT],
            default=ResourceStatus.PUBLISHED,
            help="status of the imported resources (default: publiee)",
        )
        parser.add_argument(
            "--contributor", metavar="EMAIL",
            help="the account credited as their contributor (default: none)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file, write nothing"
        )

    def handle(self, *args, **options) -> None:
        contributor = None
        if options["contributor"]:
            contributor = User.objects.filter(email__iexact=options["contributor"]).first()
            if contributor is None:
                raise CommandError(
                    _("No account with the e-mail address %(email)s.")
                    % {"email": options["contributor"]}
                )
        name = options["file"]
        try:
            report = resources_import(
                path=name, files_dir=options["files"], status=options["status"],
                contributor=contributor, dry_run=options["dry_run"],
            )
        except ImportFileError as exc:
            raise CommandError(
                _("%(file)s: %(error)s Nothing was imported.") % {"file": name, "error": exc}
            ) from exc
        except ImportRejected as exc:
            lines = "\n".join(f"  {error}" for error in exc.errors)
            raise CommandError(
                ngettext("%(file)s: %(count)d error, nothing was imported.",
                         "%(file)s: %(count)d errors, nothing was imported.", len(exc.errors))
                % {"file": name, "count": len(exc.errors)} + f"\n{lines}"
            ) from exc
        except OSError as exc:
            raise CommandError(f"{exc.filename}: {exc.strerror}") from exc
        for line in report.skipped:
            self.stdout.write(f"  {line}")
        if report.ignored_columns:
            self.stdout.write(
                _("Columns ignored: %(columns)s.")
                % {"columns": ", ".join(report.ignored_columns)}
            )
        summary = (
            _("Dry run, nothing was written: resources to import: %(count)d, files: "
              "%(files)d, skipped: %(skipped)d.")
            if report.dry_run else
            _("Resources imported: %(count)d, files: %(files)d, skipped: %(skipped)d, in "
              "%(seconds).1f s.")
        )
        self.stdout.write(summary % {
            "count": report.imported, "files": report.files, "skipped": len(report.skipped),
            "seconds": report.seconds,
        })
