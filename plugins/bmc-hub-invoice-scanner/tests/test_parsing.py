"""Amounts, dates and CVR numbers in the formats Danish and English invoices use."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from bmc_hub_invoice_scanner import parsing

WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def with_check_digit(first_seven: str) -> str:
    """A CVR number computed here, independently of the module: the eighth digit makes
    the weighted sum divisible by 11."""
    total = sum(int(d) * w for d, w in zip(first_seven, WEIGHTS, strict=False))
    check = -total % 11
    assert check < 10, "no valid CVR starts with these digits; pick others"
    return first_seven + str(check)


VALID = with_check_digit("1234567")  # 12345674
ALSO_VALID = with_check_digit("2940347")


def test_the_computed_numbers_are_the_expected_ones():
    assert VALID == "12345674"
    assert ALSO_VALID == "29403473"


@pytest.mark.parametrize("number", [VALID, ALSO_VALID])
def test_a_number_passing_modulus_11_is_a_valid_cvr(number):
    assert parsing.valid_cvr(number)


@pytest.mark.parametrize(
    "number",
    [
        "12345678",  # check digit wrong
        "12345675",  # off by one
        "1234567",  # 7 digits
        "123456740",  # 9 digits
        "1234567a",
        "".join(chr(0xFF10 + int(d)) for d in "12345674"),  # fullwidth digits are not ASCII
        "",
    ],
)
def test_anything_else_is_not_a_valid_cvr(number):
    assert not parsing.valid_cvr(number)


@pytest.mark.parametrize(
    "text", ["12345674", "12 34 56 74", "DK12345674", "DK-12345674", "dk 12 34 56 74 (main)"]
)
def test_cvr_at_start_accepts_spacing_and_a_dk_prefix(text):
    assert parsing.cvr_at_start(text) == "12345674"


@pytest.mark.parametrize("text", ["12345678", "123456741", "x 12345674", "/SE-nr. 12345674"])
def test_cvr_at_start_refuses_invalid_or_misplaced_numbers(text):
    assert parsing.cvr_at_start(text) is None


def test_dk_vat_ids_keeps_only_valid_numbers():
    assert parsing.dk_vat_ids("VAT DK12345674, DK12345678 and ADK29403473") == ["12345674"]


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("1.250,00 DKK", "1250.00", "DKK"),
        ("DKK 1.250,00", "1250.00", "DKK"),
        ("kr. 1.250,00", "1250.00", "DKK"),
        ("1.250,00 kr.", "1250.00", "DKK"),
        ("Kr 1.250,00", "1250.00", "DKK"),
        ("DKK 1,250.00", "1250.00", "DKK"),
        ("EUR 99.50", "99.50", "EUR"),
        ("€99.50", "99.50", "EUR"),
        ("$ 1,000,000.00", "1000000.00", "USD"),
        ("£12.5", "12.50", "GBP"),
        ("1.250,- kr", "1250.00", "DKK"),
        ("1250,00", "1250.00", None),
        ("1\u00a0250,00 SEK", "1250.00", "SEK"),
        ("-1.250,00 DKK", "-1250.00", "DKK"),
        ("\u2212 99,50", "-99.50", None),
    ],
)
def test_amount_formats(text, value, currency):
    amount = parsing.first_amount(text)
    assert amount is not None
    assert parsing.format_amount(amount.value) == value
    assert amount.currency == currency
    assert amount.explicit


@pytest.mark.parametrize(
    "text",
    ["25%", "25 %", "12,5%", "01-11-2026", "01.11.2026", "2026-11-01", "INV-1001", "no amount"],
)
def test_percentages_dates_and_invoice_numbers_are_not_amounts(text):
    assert parsing.amounts(text) == []


def test_a_run_of_more_than_18_digits_is_an_id_not_an_amount():
    assert parsing.amounts("1" * 16) == []
    assert parsing.amounts("1" * 10_000) == []
    largest = parsing.first_amount("999.999.999.999.999.999,99")
    assert largest is not None and largest.value == Decimal("999999999999999999.99")


def test_the_first_explicit_amount_wins_over_a_quantity():
    amount = parsing.first_amount("3 stk. 1.250,00")
    assert amount is not None and amount.value == Decimal("1250.00")


def test_a_plain_number_is_an_amount_but_not_an_explicit_one():
    amount = parsing.first_amount("1250")
    assert amount is not None
    assert (amount.value, amount.explicit) == (Decimal("1250.00"), False)


NOV_1 = dt.date(2026, 11, 1)


@pytest.mark.parametrize(
    "text",
    [
        "01-11-2026",
        "01.11.2026",
        "1.11.2026",
        "01/11/2026",
        "01-11-26",
        "1. november 2026",
        "1 november 2026",
        "1. nov. 2026",
        "01 Nov 2026",
        "2026-11-01",
        "November 1, 2026",
        "Nov 1, 2026",
        "Nov. 1st, 2026",
        "november 1 2026",
    ],
)
def test_date_formats(text):
    assert parsing.first_date(f"Dato: {text} (tirsdag)") == NOV_1


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("3. maj 2026", dt.date(2026, 5, 3)),
        ("15. marts 2026", dt.date(2026, 3, 15)),
        ("1. oktober 2026", dt.date(2026, 10, 1)),
        ("March 15, 2026", dt.date(2026, 3, 15)),
        ("11/25/2026", dt.date(2026, 11, 25)),  # day 25 cannot be a month: US order
    ],
)
def test_danish_and_english_month_names(text, date):
    assert parsing.first_date(text) == date


@pytest.mark.parametrize("text", ["31.02.2026", "1.250,00", "2026", "14 dage", "01-13-2026"])
def test_impossible_dates_and_numbers_are_not_dates(text):
    assert parsing.first_date(text) is None
