"""`alliances bench <name> [options]`: run bench/<name>.py (its `main(argv)`).

The benchmarks live at the repository root, outside the installed package: they are tools
for people working on Alliances, not part of a deployment.
"""

import argparse
import importlib
import re
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

ROOT = settings.BASE_DIR.parent
BENCH_DIR = ROOT / "bench"


class Command(BaseCommand):
    help = "Run a benchmark from bench/, e.g. `alliances bench pages --smoke`."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="a module of bench/, e.g. pages")
        parser.add_argument("bench_args", nargs=argparse.REMAINDER, help="its own options")

    def handle(self, *, name: str, bench_args: list[str], **options: object) -> None:
        # Every module of bench/ with a main() is a benchmark; the others are its helpers.
        available = sorted(
            p.stem for p in BENCH_DIR.glob("*.py") if "\ndef main(" in p.read_text()
        )
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or name not in available:
            raise CommandError(f"no benchmark {name!r} in {BENCH_DIR}; available: {available}")
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        module = importlib.import_module(f"bench.{name}")
        if status := module.main(bench_args):
            raise CommandError(f"bench {name} failed (status {status})", returncode=status)
