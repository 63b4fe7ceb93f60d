"""What the extract() tests share: CVR numbers that pass and fail modulus 11, and
lookups of one field's value and confidence."""

from __future__ import annotations

from bmc_hub_invoice_scanner.extract import extract

CVR = "12345674"  # passes modulus 11 (see test_parsing.with_check_digit)
OTHER_CVR = "29403473"  # passes too
BAD_CVR = "12345678"  # fails the check


def value(text: str, field: str) -> str | None:
    found = extract(text)[field]
    return found.value if found else None


def confidence(text: str, field: str) -> float:
    found = extract(text)[field]
    assert found is not None, f"{field} not found in {text!r}"
    return found.confidence
