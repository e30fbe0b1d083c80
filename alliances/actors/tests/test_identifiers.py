import pytest
from django.core.exceptions import ValidationError

from alliances.actors.validators import validate_rna, validate_siren, validate_siret
from alliances.lib.identifiers import luhn_ok, normalise


@pytest.mark.parametrize("siren", ["552100554", "732829320", "443061841"])
def test_real_sirens_pass(siren):
    assert luhn_ok(siren)
    validate_siren(siren)


@pytest.mark.parametrize("siret", ["73282932000074", "55210055400013"])
def test_real_sirets_pass(siret):
    validate_siret(siret)


def test_la_poste_sirets_follow_their_own_rule():
    validate_siret("35600000000048")
    with pytest.raises(ValidationError):
        validate_siret("35600000000049")


@pytest.mark.parametrize("siren", ["552100555", "732829321", "000000001"])
def test_a_wrong_check_digit_is_rejected(siren):
    with pytest.raises(ValidationError, match="clé de contrôle est fausse"):
        validate_siren(siren)


@pytest.mark.parametrize("siren", ["55210055", "5521005540", "55210055A", ""])
def test_a_siren_has_nine_digits(siren):
    with pytest.raises(ValidationError, match="exactement 9 chiffres"):
        validate_siren(siren)


@pytest.mark.parametrize("siret", ["73282932000075", "7328293200007"])
def test_bad_sirets_are_rejected(siret):
    with pytest.raises(ValidationError):
        validate_siret(siret)


@pytest.mark.parametrize("rna", ["W941000001", "W751234567"])
def test_rna_numbers(rna):
    validate_rna(rna)


@pytest.mark.parametrize("rna", ["941000001", "W94100000", "X941000001", "W9410000011"])
def test_bad_rna_numbers(rna):
    with pytest.raises(ValidationError, match="lettre W suivie de 9 chiffres"):
        validate_rna(rna)


def test_normalise_drops_the_separators_people_type():
    assert normalise("552 100 554") == "552100554"
    assert normalise("732.829.320-00074") == "73282932000074"
    assert normalise("w941\u00a0000\u202f001") == "W941000001"
