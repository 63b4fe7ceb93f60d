"""CVR numbers: the modulus-11 check and what a person may type into the form."""

from __future__ import annotations

import pytest
from bmc_hub_cvr.number import check_cvr, clean_typed, passes_modulus_11


@pytest.mark.parametrize("number", ["12345674", "29403473", "10000009", "99999993"])
def test_valid_numbers_pass(number):
    assert passes_modulus_11(number)
    assert check_cvr(number) == number


@pytest.mark.parametrize(
    "number",
    [
        "12345675",
        "29403474",
        "00000000",
        "01234567",
        "1234567",
        "123456740",
        "1234567x",
        "12345674\n",
        "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff14",  # full-width digits
    ],
)
def test_anything_else_fails(number):
    assert not passes_modulus_11(number)
    with pytest.raises(ValueError, match="CVR number"):
        check_cvr(number)


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        ("12345674", "12345674"),
        (" DK12345674 ", "12345674"),
        ("dk 12 34 56 74", "12345674"),
        ("1234-5674", "12345674"),
        ("12.34.56.74", "12345674"),
    ],
)
def test_typed_numbers_are_cleaned(typed, clean):
    assert clean_typed(typed) == clean
