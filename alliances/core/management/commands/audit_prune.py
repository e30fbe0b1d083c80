from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from alliances.core.audit import prune, retention_days


class Command(BaseCommand):
    help = (
        "Delete the audit log's lines older than AUDIT_RETENTION_DAYS (730 by default); "
        "run it daily (cron, systemd timer)."
    )

    def handle(self, *args, **options) -> None:
        deleted = prune()
        self.stdout.write(
            _("%(count)s audit lines older than %(days)s days deleted.")
            % {"count": deleted, "days": retention_days()}
        )
