"""The cell parsers of the import: Danish and English numbers, dates and words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from bmc_hub_subscriptions.importing import values
from bmc_hub_subscriptions.importing.columns import normalise


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1.250,00", "1250.00"),
        ("1250,5", "1250.50"),
        ("1,250.00", "1250.00"),
        ("1250.50", "1250.50"),
        ("1 250,00", "1250.00"),
        ("1\u00a0250,00", "1250.00"),
        ("1.234.567,89", "1234567.89"),
        ("1,234,567.89", "1234567.89"),
        ("1.234.567", "1234567.00"),
        ("0,5", "0.50"),
        ("99", "99.00"),
        ("0", "0.00"),
        ("-0", "0.00"),
        (1250.5, "1250.50"),
        (19.99, "19.99"),
        (7, "7.00"),
    ],
)
def test_prices(cell, expected):
    assert values.price(cell) == Decimal(expected)


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("1.250", "ambiguous"),
        ("1,250", "ambiguous"),
        ("12,345", "ambiguous"),
        ("1.25.0", "not a number"),
        ("1,2,3", "not a number"),
        ("1.250.00", "not a number"),
        ("abc", "not a number"),
        ("1e3", "not a number"),
        ("", "is empty"),
        (None, "is empty"),
        ("-5", "negative"),
        ("12,345,6", "not a number"),
        ("1,005.123", "more than 2 decimals"),
        ("10000000000", "too large"),
        (True, "not a number"),
        (float("nan"), "not a number"),
    ],
)
def test_bad_prices(cell, problem):
    with pytest.raises(ValueError, match=problem):
        values.price(cell)


@pytest.mark.parametrize(("cell", "expected"), [("3", 3), (3.0, 3), ("1.000.000", 1_000_000)])
def test_quantities(cell, expected):
    assert values.quantity(cell) == expected


@pytest.mark.parametrize(
    ("cell", "problem"),
    [("0", "greater than 0"), ("1,5", "whole number"), ("-1", "greater than 0"), ("", "empty")],
)
def test_bad_quantities(cell, problem):
    with pytest.raises(ValueError, match=problem):
        values.quantity(cell)


@pytest.mark.parametrize(
    "cell",
    [
        "01-11-2026",
        "01.11.2026",
        "01/11/2026",
        "1-11-2026",
        "2026-11-01",
        dt.date(2026, 11, 1),
        dt.datetime(2026, 11, 1, 0, 0),
    ],
)
def test_dates(cell):
    assert values.date(cell, "start date") == dt.date(2026, 11, 1)


@pytest.mark.parametrize(
    ("cell", "problem"),
    [("31-02-2026", "not a valid date"), ("11/1/26", "not a date"), ("next monday", "not a date")],
)
def test_bad_dates(cell, problem):
    with pytest.raises(ValueError, match=problem):
        values.date(cell, "start date")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("måned", "monthly"),
        ("Månedlig", "monthly"),
        ("MONTHLY", "monthly"),
        ("kvartal", "quarterly"),
        ("Kvartalsvis", "quarterly"),
        ("år", "yearly"),
        ("årlig", "yearly"),
        ("yearly", "yearly"),
    ],
)
def test_intervals(cell, expected):
    assert values.interval(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("12345678", "12345678"), (12345678, "12345678"), ("DK 12 34 56 78", "12345678")],
)
def test_cvr(cell, expected):
    assert values.cvr(cell) == expected


@pytest.mark.parametrize("cell", ["1234567", "123456789", "ABCDEFGH"])
def test_bad_cvr(cell):
    with pytest.raises(ValueError, match="not 8 digits"):
        values.cvr(cell)


@pytest.mark.parametrize(
    ("header", "expected"),
    [(" Unit_Price ", "unit price"), ("Kunde-CVR", "kunde cvr"), ("\ufeffStartdato", "startdato")],
)
def test_headers_are_compared_loosely(header, expected):
    assert normalise(header) == expected
