"""`alliances observatory <action> …`: the analyst's commands.

Each action lives in `alliances.observatory.cli.<action>` (hyphens become underscores) with
`add_arguments(parser)` and `handle(command, **options)`.
"""

import importlib

from django.core.management.base import BaseCommand, CommandParser

ACTIONS = {
    "create-wave": "create_wave",
    "import": "import_responses",
    "rake": "rake",
    "publish": "publish",
}


class Command(BaseCommand):
    help = "Observatory: create-wave, import, rake, publish (see --help of each)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, parser_class=type(parser),
                                        metavar="ACTION")
        for name, module_name in ACTIONS.items():
            module = importlib.import_module(f"alliances.observatory.cli.{module_name}")
            sub = actions.add_parser(name, help=module.__doc__.strip().splitlines()[0],
                                     called_from_command_line=parser.called_from_command_line)
            module.add_arguments(sub)

    def handle(self, *args, action: str, **options) -> None:
        module = importlib.import_module(f"alliances.observatory.cli.{ACTIONS[action]}")
        module.handle(self, **options)
