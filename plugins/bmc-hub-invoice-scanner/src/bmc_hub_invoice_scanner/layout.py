"""Text as rows of cells, so a label can find the value beside or below it.

The PDF reader keeps each page's horizontal layout (columns padded with spaces), so a
two-column invoice reads as rows whose pieces are separated by wide gaps. A *cell* is a
run of words separated by single spaces; its ``start`` column lets a label in a header
row find the value under it in the next row.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

_CELL = re.compile(r"[^\t ]+(?: [^\t ]+)*")

#: Headings that open the customer's block (the invoice is addressed *to* it): the word
#: alone or with a colon ("Kunde", "Bill to: Café Blå"), not a field ("Kunde CVR: ...").
CUSTOMER_HEADING = re.compile(
    r"^(?:kunde|customer|bill(?:ed)?\s+to|sold\s+to|ship\s+to|invoice\s+to|faktureres\s+til|"
    r"køber|buyer|modtager|leveringsadresse|debitor)\s*(?::|$)",
    re.IGNORECASE,
)
#: Headings that open the vendor's block (who sends the invoice).
VENDOR_HEADING = re.compile(
    r"^(?:leverandør|sælger|afsender|vendor|supplier|seller|from|fra)\s*(?::|$)",
    re.IGNORECASE,
)
#: How many rows above a cell a block heading may be.
BLOCK_ROWS = 6
#: Cells kept per row: an invoice has a few columns; this bounds the work on odd input.
MAX_CELLS = 40


@dataclass(frozen=True)
class Cell:
    """A run of words on one row, with its columns ``[start, end)``."""

    row: int
    #: Position on its row.
    index: int
    start: int
    end: int
    text: str

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


class Layout:
    """The non-empty lines of a text, each split into cells."""

    def __init__(self, text: str) -> None:
        self.rows: list[list[Cell]] = []
        for line in text.splitlines():
            matches = itertools.islice(_CELL.finditer(line.expandtabs(4)), MAX_CELLS)
            cells = [
                Cell(len(self.rows), i, m.start(), m.end(), m.group())
                for i, m in enumerate(matches)
            ]
            if cells:
                self.rows.append(cells)

    def cells(self) -> Iterator[Cell]:
        for row in self.rows:
            yield from row

    def neighbour(self, cell: Cell, step: int) -> Cell | None:
        """The next (``step=1``) or previous (``step=-1``) cell on ``cell``'s row."""
        row = self.rows[cell.row]
        index = cell.index + step
        return row[index] if 0 <= index < len(row) else None

    def below(self, row: int, start: int, end: int) -> Cell | None:
        """The cell of the next row under columns ``[start, end)``, nearest to ``start``."""
        if row + 1 >= len(self.rows):
            return None
        under = [c for c in self.rows[row + 1] if c.overlaps(start, end)]
        return min(under, key=lambda c: abs(c.start - start), default=None)

    def first_of_next_row(self, row: int) -> Cell | None:
        return self.rows[row + 1][0] if row + 1 < len(self.rows) else None

    def above(self, cell: Cell, rows: int = BLOCK_ROWS) -> Iterator[Cell]:
        """Cells in the same column above ``cell``, nearest first."""
        for index in range(cell.row - 1, max(-1, cell.row - 1 - rows), -1):
            under = [
                c for c in self.rows[index] if c.overlaps(cell.start, max(cell.end, cell.start + 1))
            ]
            yield from sorted(under, key=lambda c: abs(c.start - cell.start))

    def in_customer_block(self, cell: Cell) -> bool:
        """Whether the nearest block heading above ``cell`` (or ``cell`` itself) is the
        customer's: "Kunde", "Bill to", "Faktureres til" ..."""
        for candidate in (cell, *self.above(cell)):
            if CUSTOMER_HEADING.match(candidate.text):
                return True
            if VENDOR_HEADING.match(candidate.text):
                return False
        return False
