"""CVR numbers: eight digits, the first not 0, whose weighted sum is divisible by 11.

The Danish Business Authority assigns CVR numbers from 10000000 up, with the check
weights 2, 7, 6, 5, 4, 3, 2, 1 (modulus 11). A number failing the check was mistyped, so
it is refused before any registry is asked.
"""

from __future__ import annotations

import re

WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)
PATTERN = r"^[1-9][0-9]{7}$"
_SHAPE = re.compile(PATTERN)


def passes_modulus_11(number: str) -> bool:
    """Whether ``number`` is a CVR number: eight ASCII digits, the first not 0, passing
    the modulus-11 check."""
    if not _SHAPE.fullmatch(number):
        return False
    return sum(int(digit) * weight for digit, weight in zip(number, WEIGHTS, strict=True)) % 11 == 0


def check_cvr(number: str) -> str:
    """``number`` if it is a valid CVR number; otherwise ``ValueError`` saying why."""
    if not _SHAPE.fullmatch(number):
        raise ValueError("a CVR number is 8 digits, the first not 0, e.g. 12345674")
    if not passes_modulus_11(number):
        raise ValueError(f"{number} is not a CVR number: it fails the modulus-11 check")
    return number


def clean_typed(text: str) -> str:
    """What a person typed into a form, as a bare number: spaces, dashes and a ``DK``
    prefix (as on invoices: ``DK 12 34 56 74``) are dropped."""
    text = text.strip().upper().removeprefix("DK")
    return re.sub(r"[\s.-]", "", text)
