from django.core.management.base import BaseCommand

from alliances.core.demo_data import demo_load


class Command(BaseCommand):
    help = "Load the demo data set (territories, pilot territories, actors, one user per role)."

    def handle(self, *args, **options) -> None:
        report = demo_load()
        self.stdout.write(
            f"Demo loaded: {report.communes} communes, {report.organisations} new organisations, "
            f"{report.alliances} new alliances, {report.needs} new needs."
        )
        self.stdout.write("Demo accounts (passwords are new at each run):")
        for role, email, password in report.accounts:
            self.stdout.write(f"  {role:<15} {email:<35} {password}")
