"""Value parsers for invoice text: amounts, dates and Danish CVR numbers.

Pure functions on strings, no I/O; :mod:`.extract` decides where to look, these decide
what a piece of text means. Digits are matched as ``[0-9]``, never ``\\d``, which would
also accept other scripts' digits.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

# --- CVR ---------------------------------------------------------------------------

#: The CVR register's modulus-11 weights: sum(digit * weight) must be divisible by 11.
CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)

_EIGHT_DIGITS = re.compile(r"[0-9]{8}")
#: ``12345674``, ``12 34 56 74``, ``DK12345674``, ``DK-12 34 56 74`` at the start of a text.
_CVR_AT_START = re.compile(
    r"(?:DK[\s-]?)?([0-9]{2}\s?[0-9]{2}\s?[0-9]{2}\s?[0-9]{2})(?![0-9])", re.IGNORECASE
)
#: A Danish VAT id anywhere: ``DK`` directly followed by the CVR number.
_DK_VAT_ID = re.compile(
    r"(?<![A-Za-z0-9])DK[\s-]?([0-9]{2}\s?[0-9]{2}\s?[0-9]{2}\s?[0-9]{2})(?![0-9])"
)


def valid_cvr(number: str) -> bool:
    """Whether ``number`` is 8 digits passing the CVR modulus-11 check."""
    if not _EIGHT_DIGITS.fullmatch(number):
        return False
    return sum(int(d) * w for d, w in zip(number, CVR_WEIGHTS, strict=True)) % 11 == 0


def cvr_at_start(text: str) -> str | None:
    """The valid CVR number ``text`` starts with (spaces and a ``DK`` prefix allowed)."""
    match = _CVR_AT_START.match(text)
    if match is None:
        return None
    number = re.sub(r"\s", "", match.group(1))
    return number if valid_cvr(number) else None


def dk_vat_ids(text: str) -> list[str]:
    """Every valid CVR number written as a Danish VAT id (``DK12345674``) in ``text``."""
    numbers = (re.sub(r"\s", "", m.group(1)) for m in _DK_VAT_ID.finditer(text))
    return [n for n in numbers if valid_cvr(n)]


# --- amounts -----------------------------------------------------------------------

#: ISO codes we recognise, and the symbols that stand for one.
CURRENCY_CODES = ("DKK", "EUR", "USD", "GBP", "SEK", "NOK", "CHF")
_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP"}
_CURRENCY = r"(?:\b(?:DKK|EUR|USD|GBP|SEK|NOK|CHF)\b|[€$£]|(?<![^\W\d_])[Kk]r\.?(?![^\W\d_]))"
CURRENCY_RE = re.compile(_CURRENCY)

# A number not glued to a word, a date or a percentage: ``1.250,00``, ``1,250.00``,
# ``99.50``, ``1250``, ``-1.250,00``, ``1.250,-`` (Danish for whole kroner). Thousands
# separators: ``.`` ``,`` ``'`` or a no-break space; a plain space is not one (``2 125,00``
# is more often "2 at 125,00" than 2125). At most 18 digits: longer runs are ids, not
# money, and would not fit a Decimal's precision.
_NUMBER = re.compile(
    r"(?<![\w.,/'-])(?P<sign>[-\u2212]\s?)?"
    r"(?P<num>[0-9]{1,3}(?:[.,'\u00a0\u202f][0-9]{3}){1,5}|[0-9]{1,15})"
    r"(?P<frac>[.,][0-9]{1,2}|,-)?"
    r"(?![0-9]|[.,/][0-9]|-[0-9]|\w|\s*%)"
)
_BEFORE = re.compile(_CURRENCY + r"\s*$")
_AFTER = re.compile(r"^\s*" + _CURRENCY)


@dataclass(frozen=True)
class Amount:
    """A money amount found in text; ``explicit`` when written with decimals or a currency."""

    value: Decimal
    currency: str | None
    explicit: bool


def currency_code(token: str) -> str:
    """``"kr."`` → ``"DKK"``, ``"€"`` → ``"EUR"``, ``"EUR"`` → ``"EUR"``."""
    if token in _SYMBOLS:
        return _SYMBOLS[token]
    return "DKK" if token.lower().startswith("kr") else token.upper()


def _to_decimal(number: str, fraction: str | None, negative: bool) -> Decimal:
    digits = re.sub(r"[^0-9]", "", number)
    decimals = "" if fraction in (None, ",-") else fraction[1:]
    value = Decimal(f"{digits}.{decimals or '0'}").quantize(Decimal("0.01"))
    return -value if negative else value


def amounts(text: str) -> list[Amount]:
    """Every amount in ``text``, in order; percentages and parts of dates are skipped."""
    found = []
    for m in _NUMBER.finditer(text):
        before = _BEFORE.search(text[max(0, m.start() - 8) : m.start()])
        after = _AFTER.match(text[m.end() : m.end() + 8])
        token = before or after
        currency = currency_code(token.group(0).strip()) if token else None
        value = _to_decimal(m.group("num"), m.group("frac"), m.group("sign") is not None)
        found.append(Amount(value, currency, explicit=bool(m.group("frac") or currency)))
    return found


def first_amount(text: str) -> Amount | None:
    """The first explicit amount in ``text`` (decimals or a currency), else the first
    number: after ``I alt: 3 stk. 1.250,00`` the amount is 1.250,00, not 3."""
    found = amounts(text)
    explicit = [a for a in found if a.explicit]
    candidates = explicit or found
    return candidates[0] if candidates else None


def format_amount(value: Decimal) -> str:
    """A canonical string for JSON: ``"1250.00"`` (a string keeps the exact decimals)."""
    return f"{value:.2f}"


# --- dates -------------------------------------------------------------------------

MONTHS = {
    "januar": 1, "january": 1, "jan": 1,
    "februar": 2, "february": 2, "feb": 2,
    "marts": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "maj": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
_MONTH = "(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")(?![^\W\d_])\.?"

_YEAR = r",?\s+(?P<year>[0-9]{4})(?![0-9])"

_DATE_PATTERNS = (
    # 2026-11-01
    re.compile(r"(?<![0-9])(?P<year>[0-9]{4})-(?P<mon>[0-9]{1,2})-(?P<day>[0-9]{1,2})(?![0-9])"),
    # 01-11-2026, 01.11.2026, 01/11/2026, 01-11-26
    re.compile(
        r"(?<![0-9.,])(?P<day>[0-9]{1,2})(?P<sep>[-./])(?P<mon>[0-9]{1,2})(?P=sep)"
        r"(?P<year>[0-9]{4}|[0-9]{2})(?![0-9]|[.,][0-9])"
    ),
    # 1. november 2026, 1 Nov 2026, 01. nov. 2026
    re.compile(r"(?<![0-9])(?P<day>[0-9]{1,2})\.?\s*" + _MONTH + _YEAR, re.IGNORECASE),
    # November 1, 2026; Nov. 1st 2026
    re.compile(_MONTH + r"\s+(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?" + _YEAR, re.IGNORECASE),
)


def _date_from(match: re.Match[str]) -> dt.date | None:
    parts = match.groupdict()
    year = int(parts["year"])
    if year < 100:
        year += 2000
    day = int(parts["day"])
    month = MONTHS[parts["month"].lower()] if parts.get("month") else int(parts["mon"])
    orders = [(month, day)]
    if parts.get("sep") == "/":
        orders.append((day, month))  # 11/25/2026: an American month-first date
    for m, d in orders:
        try:
            date = dt.date(year, m, d)
        except ValueError:
            continue
        if 1990 <= date.year <= 2100:
            return date
    return None


def dates(text: str) -> list[tuple[int, dt.date]]:
    """``(position, date)`` of every date in ``text``, in order of position."""
    found = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            date = _date_from(match)
            if date is not None:
                found.append((match.start(), date))
    return sorted(found)


def first_date(text: str) -> dt.date | None:
    """The first date in ``text`` in any supported format, or None."""
    found = dates(text)
    return found[0][1] if found else None
