import random
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.cpr import fictitious_cpr
from cases.models import Borger, validate_cpr


@pytest.mark.parametrize("value", ["0101901234", "010190-1234", "311299-4001", "290296-1235"])
def test_a_well_formed_cpr_with_a_real_date_is_accepted(value):
    assert validate_cpr(value) == value.replace("-", "")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("3102901234", "ikke en gyldig fødselsdato"),  # 31 February
        ("1313901234", "ikke en gyldig fødselsdato"),  # month 13
        ("290297-1234", "ikke en gyldig fødselsdato"),  # 29 Feb in a non-leap year
        ("010190123", "skal have 10 cifre"),
        ("01019012345", "skal have 10 cifre"),
        ("", "Angiv et CPR-nummer"),
        ("01019O1234", "kun indeholde cifre"),
    ],
)
def test_a_bad_cpr_is_refused_with_a_clear_danish_message(value, message):
    with pytest.raises(ValidationError) as excinfo:
        validate_cpr(value)
    assert message in excinfo.value.messages[0]


def test_generated_demo_cpr_numbers_are_valid_but_recognisably_fictitious():
    rng = random.Random(1)
    for day in range(1, 300, 7):
        birth = date(1960 + day % 45, 1 + day % 12, 1 + day % 28)
        value = fictitious_cpr(birth, rng)
        assert validate_cpr(value) == value
        weights = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
        assert sum(int(d) * w for d, w in zip(value, weights, strict=True)) % 11 != 0


def test_creating_a_borger_with_a_bad_cpr_changes_nothing(db, caseworker):
    with pytest.raises(ValidationError):
        services.borger_create(cpr="3102901234", first_name="A", last_name="B", actor=caseworker)
    assert not Borger.objects.exists()


def test_a_borger_shows_only_the_birth_date_part_in_lists(db):
    borger = Borger(cpr="0101901234", first_name="Ida", last_name="Holm")
    assert borger.masked_cpr == "010190-xxxx"
