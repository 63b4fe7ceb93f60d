"""Cell values as Danish and English spreadsheets write them.

Each parser takes what a cell holds (text from a CSV; text, a number or a date from an
XLSX) and returns the value or raises ``ValueError`` with a message for the import
report. Numbers: ``1.250,00``, ``1250,5``, ``1,250.00``, ``1250.50``, ``1 250,00``; a
single separator followed by exactly three digits (``1.250``, ``1,250``) is refused as
ambiguous, since Danish and English read it differently. Dates: ``2026-11-01``,
``01-11-2026``, ``01.11.2026``, ``01/11/2026`` (day before month).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from ..schemas import CENT

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_DIGITS = re.compile(r"^\d+$")
_GROUPED = re.compile(r"^\d{1,3}(?:X\d{3})+$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DANISH_DATE = re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$")

INTERVAL_WORDS = {
    "monthly": "monthly",
    "month": "monthly",
    "måned": "monthly",
    "månedlig": "monthly",
    "månedligt": "monthly",
    "md": "monthly",
    "mdr": "monthly",
    "quarterly": "quarterly",
    "quarter": "quarterly",
    "kvartal": "quarterly",
    "kvartalsvis": "quarterly",
    "kvartalsvist": "quarterly",
    "yearly": "yearly",
    "year": "yearly",
    "annual": "yearly",
    "annually": "yearly",
    "år": "yearly",
    "årlig": "yearly",
    "årligt": "yearly",
    "årsvis": "yearly",
}

STATUS_WORDS = {
    "active": "active",
    "aktiv": "active",
    "paused": "paused",
    "pause": "paused",
    "pauset": "paused",
    "sat på pause": "paused",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "annulleret": "cancelled",
    "opsagt": "cancelled",
}

Cell = str | int | float | Decimal | dt.date | dt.datetime | dt.time | bool | None


def is_blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Cell) -> str:
    """A cell as text (numbers without a trailing ``.0``), stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class AmbiguousNumber(ValueError):
    """``1.250`` or ``1,250``: one thousand two hundred and fifty, or one point two five."""


def _grouped(digits: str, separator: str) -> str | None:
    """``1.250.000`` → ``1250000`` when ``separator`` groups thousands correctly."""
    if _GROUPED.match(digits.replace(separator, "X")):
        return digits.replace(separator, "")
    return None


def _plain_number(raw: str) -> str:
    """The number in ``raw`` written with ``.`` as decimal point and no grouping."""
    sign = ""
    if raw[:1] in "+-":
        sign, raw = raw[0].replace("+", ""), raw[1:]
    last_dot, last_comma = raw.rfind("."), raw.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal_mark = "." if last_dot > last_comma else ","
        group_mark = "," if decimal_mark == "." else "."
        whole, _, fraction = raw.rpartition(decimal_mark)
        plain = whole if _DIGITS.match(whole) else _grouped(whole, group_mark)
        if plain is None or not _DIGITS.match(fraction):
            raise ValueError
        return f"{sign}{plain}.{fraction}"
    mark = "." if last_dot >= 0 else "," if last_comma >= 0 else ""
    if not mark:
        if not _DIGITS.match(raw):
            raise ValueError
        return sign + raw
    if raw.count(mark) > 1:
        plain = _grouped(raw, mark)
        if plain is None:
            raise ValueError
        return sign + plain
    whole, _, fraction = raw.partition(mark)
    if not (_DIGITS.match(whole) and _DIGITS.match(fraction)):
        raise ValueError
    if len(fraction) == 3:
        raise AmbiguousNumber
    return f"{sign}{whole}.{fraction}"


def number(value: Cell, what: str) -> Decimal:
    """A decimal number in any of the formats in the module docstring."""
    if isinstance(value, bool):
        raise ValueError(f"{what} {value!r} is not a number")
    if isinstance(value, int | Decimal | float):
        # repr() of a float is the shortest text that reads back the same float: 19.99,
        # not Decimal(19.99)'s 19.989999...
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not amount.is_finite():
            raise ValueError(f"{what} {value!r} is not a number")
        return amount
    raw = _SPACES.sub("", text(value))
    if not raw:
        raise ValueError(f"{what} is empty")
    try:
        amount = Decimal(_plain_number(raw))
    except AmbiguousNumber:
        raise ValueError(
            f"{what} {raw!r} is ambiguous: write {raw.replace('.', '').replace(',', '')} "
            f"or use both separators, e.g. 1.250,00 or 1,250.00"
        ) from None
    except (ValueError, InvalidOperation):
        raise ValueError(f"{what} {text(value)!r} is not a number") from None
    return amount


def price(value: Cell) -> Decimal:
    amount = number(value, "unit price")
    if amount < 0:
        raise ValueError(f"unit price {text(value)!r} is negative")
    if amount != amount.quantize(CENT):
        raise ValueError(f"unit price {text(value)!r} has more than 2 decimals")
    if amount >= Decimal("1e10"):
        raise ValueError(f"unit price {text(value)!r} is too large")
    amount = amount.quantize(CENT)
    return amount if amount else Decimal("0.00")


def quantity(value: Cell) -> int:
    amount = number(value, "quantity")
    if amount != amount.to_integral_value():
        raise ValueError(f"quantity {text(value)!r} is not a whole number")
    if amount <= 0:
        raise ValueError(f"quantity {text(value)!r} must be greater than 0")
    if amount > 2_147_483_647:
        raise ValueError(f"quantity {text(value)!r} is too large")
    return int(amount)


def date(value: Cell, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    if not raw:
        raise ValueError(f"{what} is empty")
    iso, danish = _ISO_DATE.match(raw), _DANISH_DATE.match(raw)
    try:
        if iso:
            return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        if danish:
            return dt.date(int(danish[3]), int(danish[2]), int(danish[1]))
    except ValueError:
        raise ValueError(f"{what} {raw!r} is not a valid date") from None
    raise ValueError(f"{what} {raw!r} is not a date; write e.g. 01-11-2026 or 2026-11-01")


def interval(value: Cell) -> str:
    raw = text(value).lower()
    if not raw:
        raise ValueError("interval is empty")
    found = INTERVAL_WORDS.get(raw.rstrip("."))
    if found is None:
        raise ValueError(
            f"interval {text(value)!r} is unknown; use monthly/måned, quarterly/kvartal "
            "or yearly/år"
        )
    return found


def status(value: Cell) -> str:
    raw = " ".join(text(value).lower().split())
    found = STATUS_WORDS.get(raw)
    if found is None:
        raise ValueError(
            f"status {text(value)!r} is unknown; use active/aktiv, paused/pauset or "
            "cancelled/opsagt"
        )
    return found


def currency(value: Cell) -> str:
    raw = text(value).upper()
    if not re.fullmatch(r"[A-Z]{3}", raw):
        raise ValueError(f"currency {text(value)!r} is not an ISO 4217 code such as DKK or EUR")
    return raw


def cvr(value: Cell) -> str:
    """A CVR number: 8 digits; spaces and a ``DK`` prefix (as on invoices) are dropped."""
    raw = _SPACES.sub("", text(value)).upper().removeprefix("DK")
    if not re.fullmatch(r"\d{8}", raw):
        raise ValueError(f"CVR {text(value)!r} is not 8 digits")
    return raw
