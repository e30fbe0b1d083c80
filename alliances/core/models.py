from django.db import models


class PageGeneration(models.Model):
    """One row: the number every write bumps so that cached public pages are dropped.

    Kept in the database, not in a cache, so that every web worker and every server sees
    a write at once, in the same transaction as the write itself.
    """

    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.value)
