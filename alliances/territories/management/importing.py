"""What the territories import commands share: error reporting."""

from django.core.management.base import CommandError


class error(CommandError):  # noqa: N801
    """A located import error.

    Django prints a CommandError as '<class name>: <message>' on stderr and exits with
    status 1; this class name makes that line read 'error: communes.csv, line 12, ...'.
    """
