"""Publish a wave: its dashboard and API become public (small cells hidden)."""

from django.core.management.base import CommandError

from ..models import Wave
from ..services import WaveStateError, wave_publish


def add_arguments(parser) -> None:
    parser.add_argument("--wave", type=int, required=True, help="the wave's id")


def handle(command, *, wave: int, **options) -> None:
    try:
        target = Wave.objects.select_related("survey__owner").get(pk=wave)
    except Wave.DoesNotExist:
        raise CommandError(f"no wave {wave}") from None
    try:
        published = wave_publish(wave=target, by=target.survey.owner)
    except WaveStateError as error:
        raise CommandError(str(error)) from None
    when = f"{published.published_at:%Y-%m-%d %H:%M}"
    command.stdout.write(f"wave {published.pk} published at {when}")
