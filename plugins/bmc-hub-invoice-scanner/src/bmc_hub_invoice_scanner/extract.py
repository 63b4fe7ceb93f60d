"""Invoice text → fields, each with a confidence between 0 and 1.

Pure: :func:`extract` takes the text of a document and returns a value (or ``None``) for
each of :data:`FIELD_NAMES`. A value found after an explicit label ("Fakturanr.",
"Amount due") is trusted most; the same label with the value in the next cell, under it,
or on the next line a little less; values found without a label (the largest amount, the
first date, a ``DKxxxxxxxx`` id) least. The exact numbers are documented in README.md.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from . import parsing
from .labels import (
    CURRENCY,
    CUSTOMER_WORDS,
    CVR,
    DUE_DATE,
    INVOICE_DATE,
    INVOICE_NUMBER,
    TOTAL,
    VAT,
    VENDOR,
    Label,
)
from .layout import Cell, Layout

#: How much of a text is searched: an invoice's fields are on its first pages (a dense
#: A4 page of text is 3,000-5,000 characters).
MAX_CHARS = 100_000

FIELD_NAMES = (
    "invoice_number",
    "invoice_date",
    "due_date",
    "total_amount",
    "vat_amount",
    "currency",
    "vendor_name",
    "vendor_cvr",
)


@dataclass(frozen=True)
class Found:
    """One extracted value and how sure the extractor is of it (0..1)."""

    value: str
    confidence: float


Fields = dict[str, Found | None]

# How much a value's position relative to its label is trusted.
SAME_CELL = 1.0  # "Fakturanr.: 2026-001"
NEXT_CELL = 0.95  # "Fakturanr.          2026-001"
BELOW = 0.9  # a header row of labels over a row of values
NEXT_LINE = 0.85  # "Fakturanr.\n2026-001"
#: A CVR under a "Kunde"/"Bill to" heading is probably the customer's.
CUSTOMER_BLOCK = 0.5
#: A bare number after an amount label ("Total 1250") is less sure than "1.250,00 kr."
PLAIN_NUMBER = 0.9

#: How far from its label a value (or a disqualifying word) is looked for, in characters.
WINDOW = 80
#: What may sit between a label and its value.
_SEPARATOR = re.compile(r"^\s*[:#=]?\s*")
#: What may follow a label before its value: "Moms (25%)", "VAT 25 %".
_QUALIFIER = re.compile(r"\([^)]*\)|[0-9.,]+\s*%")

Parser = Callable[[str], "tuple[str, float] | None"]


# --- value parsers: text after a label → (value, quality) ----------------------------

_TOKEN = re.compile(r"#?\s*([A-Za-z0-9][A-Za-z0-9/._-]*)")


def _invoice_number(text: str) -> tuple[str, float] | None:
    match = _TOKEN.match(text)
    if match is None:
        return None
    token = match.group(1).rstrip("./_-")
    if not re.search(r"[0-9]", token) or len(token) > 40:
        return None
    found = parsing.dates(token)
    if found and found[0][0] == 0 and len(token) <= 10:
        return None  # a date in the invoice number's place: a misread layout
    return token, 1.0


def _date(text: str) -> tuple[str, float] | None:
    date = parsing.first_date(text)
    return (date.isoformat(), 1.0) if date else None


def _amount(text: str) -> tuple[str, float] | None:
    amount = parsing.first_amount(text)
    if amount is None:
        return None
    return parsing.format_amount(amount.value), 1.0 if amount.explicit else PLAIN_NUMBER


def _cvr(text: str) -> tuple[str, float] | None:
    number = parsing.cvr_at_start(text)
    return (number, 1.0) if number else None


def _currency_code(text: str) -> tuple[str, float] | None:
    match = parsing.CURRENCY_RE.match(text)
    return (parsing.currency_code(match.group(0)), 1.0) if match else None


def _name(text: str) -> tuple[str, float] | None:
    name = text.strip(" ,;:·|-\u2013")  # \u2013: an en dash
    return (name[:200], 1.0) if re.search(r"[^\W\d_]{2}", name) else None


# --- finding labelled values -------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    found: Found
    cell: Cell
    order: int


def _from_column(cell: Cell, column: int) -> str:
    """``cell``'s text from the word at ``column`` on: a row of values read as one cell
    ("2026-002  1. november 2026 15-11-2026") gives each label the value under it."""
    offset = column - cell.start
    if offset <= 0:
        return cell.text
    return cell.text[cell.text.rfind(" ", 0, offset + 1) + 1 :]


def _places(
    layout: Layout, cell: Cell, label_start: int, rest: str, look_around: bool
) -> Iterator[tuple[str, float, Cell]]:
    """Where the value of a label may be, most trusted first."""
    if rest:
        yield rest, SAME_CELL, cell
    # "Moms (25%)" still waits for its amount; "Betalingsfrist: 14 dage" has its value.
    if not look_around or re.search(r"[0-9]", _QUALIFIER.sub("", rest)):
        return
    beside = layout.neighbour(cell, 1)
    if beside is not None:
        yield beside.text[:WINDOW], NEXT_CELL, beside
    column = cell.start + label_start
    under = layout.below(cell.row, column, cell.end)
    if under is not None:
        yield _from_column(under, column)[:WINDOW], BELOW, under
    after = layout.first_of_next_row(cell.row)
    if not rest and after is not None and len(layout.rows[cell.row]) == 1:
        yield after.text[:WINDOW], NEXT_LINE, after


def hits(layout: Layout, labels: Sequence[Label], parse: Parser) -> list[Hit]:
    """Every value found after one of ``labels``, in document order."""
    found: list[Hit] = []
    for cell in layout.cells():
        for lab in labels:
            for match in lab.pattern.finditer(cell.text):
                before = cell.text[max(0, match.start() - WINDOW) : match.start()]
                if lab.not_before and lab.not_before.search(before):
                    continue
                rest = cell.text[match.end() : match.end() + WINDOW]
                if lab.not_after and lab.not_after.match(rest):
                    continue
                rest = _SEPARATOR.sub("", rest, count=1)
                places = _places(layout, cell, match.start(), rest, lab.look_around)
                for text, placement, where in places:
                    parsed = parse(text)
                    if parsed is not None:
                        value, quality = parsed
                        confidence = round(lab.weight * placement * quality, 2)
                        order = len(found)
                        found.append(Hit(Found(value, confidence), where, order))
                        break
    return found


def best(candidates: Sequence[Hit], *, last: bool = False) -> Hit | None:
    """The most confident hit; among equals the first, or the last (totals sit at the end)."""
    if not candidates:
        return None
    return max(candidates, key=lambda h: (h.found.confidence, h.order if last else -h.order))


# --- the fields ---------------------------------------------------------------------

_TERMS = re.compile(
    r"(?:netto|net|betalingsfrist|payment\s+terms?|betalingsbetingelser)\s*:?\s*(?:netto|net)?"
    r"\s*([0-9]{1,3})\s*(?:dage|days)",
    re.IGNORECASE,
)
_COMPANY = re.compile(
    r"(?<![^\W_])(?:ApS|A/S|I/S|IVS|K/S|P/S|AMBA|Ltd\.?|Limited|Inc\.?|LLC|GmbH|AB|ASA|AS|Oy|B\.V\.|BV|plc)(?![^\W_])"
)
_TITLE = re.compile(
    r"^(?:faktura|invoice|kreditnota|credit\s+note|tax\s+invoice|side|page)\b", re.IGNORECASE
)


def _due_from_terms(layout: Layout, invoice_date: Found | None) -> Found | None:
    """ "Netto 14 dage" / "Payment terms: 30 days" after the invoice date."""
    if invoice_date is None:
        return None
    for cell in layout.cells():
        match = _TERMS.search(cell.text)
        if match:
            due = dt.date.fromisoformat(invoice_date.value) + dt.timedelta(days=int(match.group(1)))
            return Found(due.isoformat(), min(invoice_date.confidence, 0.6))
    return None


def _first_unlabelled_date(layout: Layout, other: Found | None) -> Found | None:
    for cell in layout.cells():
        for _, date in parsing.dates(cell.text):
            if other is None or date.isoformat() != other.value:
                return Found(date.isoformat(), 0.45)
    return None


def _largest_amount(layout: Layout) -> tuple[Found, str | None] | None:
    found = [a for cell in layout.cells() for a in parsing.amounts(cell.text) if a.explicit]
    if not found:
        return None
    top = max(found, key=lambda a: a.value)
    return Found(parsing.format_amount(top.value), 0.4), top.currency


def _currency(layout: Layout, total: Hit | None) -> Found | None:
    """From a "Valuta"/"Currency" label, else the total's currency, else the most common."""
    labelled = best(hits(layout, CURRENCY, _currency_code))
    if labelled is not None:
        return labelled.found
    if total is not None:
        for amount in parsing.amounts(total.cell.text):
            if amount.currency and parsing.format_amount(amount.value) == total.found.value:
                return Found(amount.currency, min(0.9, total.found.confidence))
    codes = Counter(
        a.currency for cell in layout.cells() for a in parsing.amounts(cell.text) if a.currency
    )
    return Found(codes.most_common(1)[0][0], 0.6) if codes else None


def _cvr_field(layout: Layout) -> Hit | None:
    """A labelled CVR (less sure under a customer heading), else an unlabelled
    ``DKxxxxxxxx`` outside the customer's block."""
    labelled = [
        Hit(Found(h.found.value, round(h.found.confidence * CUSTOMER_BLOCK, 2)), h.cell, h.order)
        if layout.in_customer_block(h.cell)
        else h
        for h in hits(layout, CVR, _cvr)
    ]
    if labelled:
        return best(labelled)
    for order, cell in enumerate(layout.cells()):
        if layout.in_customer_block(cell) or re.search(r"(?<![^\W_])SE(?![^\W_])", cell.text):
            continue  # an SE number ("SE-nr.") is a sub-registration, not the CVR
        if CUSTOMER_WORDS.search(cell.text):
            continue
        numbers = parsing.dk_vat_ids(cell.text)
        if numbers:
            return Hit(Found(numbers[0], 0.7), cell, order)
    return None


def _vendor_name(layout: Layout, cvr: Hit | None) -> Found | None:
    """Who sent the invoice: a "Leverandør"/"From" label, the text before or above its
    CVR, the first company name (ApS, A/S, Ltd ...), or the first line of the page."""
    labelled = best(hits(layout, VENDOR, _name))
    if labelled is not None:
        return labelled.found
    if cvr is not None:
        before = re.split(r"(?i)(?<![^\W_])(?:cvr|vat|moms)", cvr.cell.text)[0]
        named = _name(before)
        if named is not None:
            return Found(named[0], 0.6)
        left = layout.neighbour(cvr.cell, -1)
        for cell in (*([left] if left else []), *layout.above(cvr.cell)):
            if _COMPANY.search(cell.text):
                return Found(cell.text[:200], 0.6)
    cells = [c for c in layout.cells() if not layout.in_customer_block(c)]
    for cell in cells:
        if _COMPANY.search(cell.text) and not CUSTOMER_WORDS.search(cell.text):
            return Found(cell.text[:200], 0.5)
    for cell in cells[:5]:
        title_or_field = _TITLE.match(cell.text) or re.search(r"[:0-9]", cell.text)
        if not title_or_field and _name(cell.text):
            return Found(cell.text[:200], 0.35)
    return None


def extract(text: str) -> Fields:
    """The fields of an invoice's text: a :class:`Found` or ``None`` for each field name.

    Only the first :data:`MAX_CHARS` characters are read, so the time is bounded whatever
    the upload holds.
    """
    layout = Layout(text[:MAX_CHARS])
    fields: Fields = dict.fromkeys(FIELD_NAMES)
    number = best(hits(layout, INVOICE_NUMBER, _invoice_number))
    fields["invoice_number"] = number.found if number else None

    due = best(hits(layout, DUE_DATE, _date))
    issued = best(hits(layout, INVOICE_DATE, _date))
    invoice_date = issued.found if issued else None
    if invoice_date is None:
        invoice_date = _first_unlabelled_date(layout, due.found if due else None)
    fields["invoice_date"] = invoice_date
    fields["due_date"] = due.found if due else _due_from_terms(layout, invoice_date)

    total = best(hits(layout, TOTAL, _amount), last=True)
    if total is not None:
        fields["total_amount"] = total.found
    else:
        largest = _largest_amount(layout)
        fields["total_amount"] = largest[0] if largest else None
    vat = best(hits(layout, VAT, _amount), last=True)
    fields["vat_amount"] = vat.found if vat else None
    fields["currency"] = _currency(layout, total)

    cvr = _cvr_field(layout)
    fields["vendor_cvr"] = cvr.found if cvr else None
    fields["vendor_name"] = _vendor_name(layout, cvr)
    return fields
