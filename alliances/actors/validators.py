from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from alliances.lib import identifiers

MESSAGES = {
    "9 digits expected": _("A SIREN number has exactly 9 digits."),
    "14 digits expected": _("A SIRET number has exactly 14 digits."),
    "Luhn check digit does not match": _("The check digit is wrong: please check the number."),
    "La Poste check does not match": _("The check digit is wrong: please check the number."),
    "W followed by 9 digits expected": _("An RNA number is the letter W followed by 9 digits."),
}


def _raise(error: str | None) -> None:
    if error:
        raise ValidationError(MESSAGES[error], code="invalid")


def validate_siren(value: str) -> None:
    _raise(identifiers.siren_error(value))


def validate_siret(value: str) -> None:
    _raise(identifiers.siret_error(value))


def validate_rna(value: str) -> None:
    _raise(identifiers.rna_error(value))
