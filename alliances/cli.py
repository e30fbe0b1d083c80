"""The `alliances` command: Django's management commands with our settings.

Our own commands are spelled with hyphens on the command line (`alliances import-cog`);
Django names command modules with underscores, so the first word is translated.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliances.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    if args and "-" in args[0] and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    execute_from_command_line([sys.argv[0], *args])


if __name__ == "__main__":
    main()
