"""Writes of the analyst's console that belong to no other module: the open link switch."""

from __future__ import annotations

from django.db import transaction

from .models import Wave


@transaction.atomic
def wave_set_open_link(*, wave: Wave, open: bool) -> Wave:
    """Open or close the wave's open link (the questionnaire without an invitation).

    The row is locked so that two analysts switching at once end in the state of the last
    one, and the key is kept: closing then opening again gives the same link back, so a
    link already sent keeps working once reopened."""
    locked = Wave.objects.select_for_update().get(pk=wave.pk)
    if locked.open_link != open:
        locked.open_link = open
        locked.save(update_fields=["open_link"])
    wave.open_link = locked.open_link
    return locked
