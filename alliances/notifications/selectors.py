"""Reads on notifications."""

from alliances.accounts.models import User

from .models import DigestFrequency, DigestPreference


def digest_frequency_of(user: User) -> str:
    """The person's e-mail frequency: daily when they never chose."""
    return (
        DigestPreference.objects.filter(user=user).values_list("frequency", flat=True).first()
        or DigestFrequency.DAILY
    )
