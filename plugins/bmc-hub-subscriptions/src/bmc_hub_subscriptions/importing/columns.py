"""The header row: which column holds which field, in Danish or English."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import ImportRefused
from .values import Cell, text

#: field → the header names it is recognised by (compared after ``normalise``).
ALIASES: dict[str, tuple[str, ...]] = {
    "cvr": ("cvr", "kunde cvr", "customer cvr", "cvr nr", "cvr nummer", "cvr number"),
    "customer": ("customer", "customer name", "kunde", "kundenavn", "kunde navn"),
    "product": ("product", "product name", "produkt", "produktnavn", "vare"),
    "quantity": ("quantity", "qty", "antal", "mængde"),
    "unit_price": ("unit price", "price", "enhedspris", "pris", "stykpris"),
    "currency": ("currency", "valuta"),
    "interval": ("interval", "billing interval", "faktureringsinterval", "periode", "frekvens"),
    "start_date": ("start date", "start", "startdato", "start dato", "fra dato"),
    "end_date": ("end date", "end", "slutdato", "slut dato", "slut", "til dato"),
    "status": ("status",),
}
REQUIRED = ("product", "quantity", "unit_price", "interval", "start_date")
_BY_NAME = {alias: field for field, aliases in ALIASES.items() for alias in aliases}


def normalise(header: Cell) -> str:
    """``" Unit_Price "`` → ``"unit price"``; ``"CVR-nr."`` → ``"cvr nr"``."""
    words = re.sub(r"[\s_\-.:]+", " ", text(header).lower().lstrip("\ufeff"))
    return words.strip()


@dataclass(frozen=True)
class Columns:
    """field → its column index in the sheet."""

    index: dict[str, int]

    def get(self, row: Sequence[Cell], field: str) -> Cell:
        position = self.index.get(field)
        if position is None or position >= len(row):
            return None
        return row[position]

    def has(self, field: str) -> bool:
        return field in self.index


def recognise(header: Sequence[Cell]) -> Columns:
    """Map the header row, or refuse the file (nothing is written)."""
    index: dict[str, int] = {}
    for position, cell in enumerate(header):
        field = _BY_NAME.get(normalise(cell))
        if field is None:
            continue  # columns the import does not use (notes, totals) are ignored
        if field in index:
            raise ImportRefused(
                f"the header names the {field.replace('_', ' ')} column twice "
                f"({text(header[index[field]])!r} and {text(cell)!r}); keep one"
            )
        index[field] = position
    missing = [field for field in REQUIRED if field not in index]
    if "cvr" not in index and "customer" not in index:
        missing.insert(0, "cvr or customer")
    if missing:
        if not index:
            raise ImportRefused(
                "no recognisable header: the first row must name the columns, e.g. "
                "cvr;product;quantity;unit price;currency;interval;start date "
                "(Danish: kunde cvr;produkt;antal;enhedspris;valuta;interval;startdato)"
            )
        raise ImportRefused(
            "the header lacks the column(s) "
            + ", ".join(name.replace("_", " ") for name in missing)
            + "; found "
            + ", ".join(name.replace("_", " ") for name in index)
        )
    return Columns(index)
