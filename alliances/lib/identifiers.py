"""French official identifiers of organisations: SIREN, SIRET (Luhn) and RNA numbers."""

import re

RNA_RE = re.compile(r"^W\d{9}$")


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalise(value: str) -> str:
    """Drop the spaces, dots and dashes people type inside identifiers."""
    return re.sub(r"[\s.\-\u00a0\u202f]", "", value or "").upper()


def siren_error(value: str) -> str | None:
    if not re.fullmatch(r"\d{9}", value):
        return "9 digits expected"
    if not luhn_ok(value):
        return "Luhn check digit does not match"
    return None


def siret_error(value: str) -> str | None:
    if not re.fullmatch(r"\d{14}", value):
        return "14 digits expected"
    # La Poste's establishments (SIREN 356000000) follow a digit-sum rule instead of Luhn.
    if value.startswith("356000000"):
        if value == "35600000000048" or sum(int(c) for c in value) % 5 == 0:
            return None
        return "La Poste check does not match"
    if not luhn_ok(value):
        return "Luhn check digit does not match"
    return None


def rna_error(value: str) -> str | None:
    if not RNA_RE.fullmatch(value):
        return "W followed by 9 digits expected"
    return None


def with_luhn_digit(prefix: str) -> str:
    """prefix followed by the digit that makes the whole number pass the Luhn check."""
    for digit in "0123456789":
        if luhn_ok(prefix + digit):
            return prefix + digit
    raise AssertionError("unreachable: one digit always completes a Luhn number")
