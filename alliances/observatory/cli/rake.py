"""Rake a wave's weights to population margins (a CSV of variable,category,share).

Prints the raking's convergence and the weights' diagnostics before and after.
"""

from pathlib import Path

from django.core.management.base import CommandError

from ..models import Wave
from ..services import DefinitionError, WaveStateError, margins_read, wave_rake


def add_arguments(parser) -> None:
    parser.add_argument("--wave", type=int, required=True, help="the wave's id")
    parser.add_argument("--margins", type=Path, required=True,
                        help="CSV with columns variable,category,share")


def handle(command, *, wave: int, margins: Path, **options) -> None:
    try:
        target = Wave.objects.get(pk=wave)
    except Wave.DoesNotExist:
        raise CommandError(f"no wave {wave}") from None
    try:
        text = margins.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"{margins}: {error}") from None
    try:
        report = wave_rake(wave=target, margins=margins_read(text))
    except DefinitionError as error:
        raise CommandError("\n".join(f"{margins}: {e}" for e in error.errors)) from None
    except WaveStateError as error:
        raise CommandError(str(error)) from None
    before, after = report["before"], report["after"]
    state = "converged" if report["converged"] else "NOT converged"
    command.stdout.write(
        f"wave {target.pk}: raking {state} after {report['iterations']} iterations "
        f"(tolerance {report['tolerance']:g}, cap {report['max_iterations']}, largest margin "
        f"error {report['max_margin_error']:.2e})"
    )
    for name, d in (("before", before), ("after", after)):
        command.stdout.write(
            f"  weights {name}: n={d['n']} min={d['min']:.4f} max={d['max']:.4f} "
            f"ratio={d['ratio']:.2f} Kish n_eff={d['kish_n_eff']:.1f} "
            f"efficiency={d['efficiency']:.1%}"
        )
