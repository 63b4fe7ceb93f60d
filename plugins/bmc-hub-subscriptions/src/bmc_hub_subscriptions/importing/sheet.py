"""An uploaded file as rows of cells, whatever its format (told from its content).

- XLSX: starts with the ZIP signature ``PK\\x03\\x04``; the first worksheet is read with
  openpyxl in read-only mode (streamed, formulas as their cached values).
- CSV: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), or
  Windows-1252 (cp1252, what Danish Excel saves as "CSV"); ``;``, ``,`` or tab between
  fields, whichever the header line uses most.

Row numbers are the ones the user sees in the spreadsheet (the first row is 1).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from ..errors import ImportRefused
from .values import Cell, is_blank

#: More data rows than this are refused: split the file.
MAX_ROWS = 20_000
#: Columns beyond this are never read (a header has a dozen).
MAX_COLUMNS = 64
ZIP_MAGIC = b"PK\x03\x04"
_OTHER_FORMATS = {
    b"\xd0\xcf\x11\xe0": "an old Excel .xls (or another legacy Office) file; save it as .xlsx",
    b"%PDF": "a PDF",
    b"\x1f\x8b": "a gzip archive",
}


@dataclass(frozen=True)
class Sheet:
    """The non-blank rows from the header on, and how many blank rows lay between them."""

    header: tuple[int, list[Cell]]
    rows: list[tuple[int, list[Cell]]]
    blank: int


def read_sheet(data: bytes) -> Sheet:
    """Parse ``data`` or raise :class:`ImportRefused` (the whole file is refused)."""
    if not data.strip():
        raise ImportRefused("the file is empty")
    if data.startswith(ZIP_MAGIC):
        return _collect(_xlsx_rows(data))
    return _collect(_csv_rows(_decode(data)))


def _collect(rows: Iterable[tuple[int, list[Cell]]]) -> Sheet:
    header: tuple[int, list[Cell]] | None = None
    kept: list[tuple[int, list[Cell]]] = []
    blank = pending = 0
    for number, cells in rows:
        if all(is_blank(cell) for cell in cells):
            pending += header is not None  # blank rows above the header are no data
            continue
        if header is None:
            header = (number, cells)
            continue
        # Blank rows after the last data row (a formatted but empty sheet area) are
        # not counted; those between data rows are.
        blank, pending = blank + pending, 0
        kept.append((number, cells))
        if len(kept) > MAX_ROWS:
            raise ImportRefused(f"the file has more than {MAX_ROWS} data rows; split it")
    if header is None:
        raise ImportRefused("the file is empty")
    return Sheet(header, kept, blank)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Cell]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it drops; the values are intact.
            warnings.simplefilter("ignore", UserWarning)
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportRefused(
            f"the file is a ZIP archive but not an Excel workbook (.xlsx): {exc}"
        ) from None
    try:
        if not workbook.worksheets:
            raise ImportRefused("the workbook has no worksheet")
        sheet = workbook.worksheets[0]
        # iter_rows starts at row 1 and yields empty rows for gaps, so counting gives
        # the sheet's own row numbers.
        rows = sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
        for number, values in enumerate(rows, start=1):
            yield number, [_cell(value) for value in values]
    finally:
        workbook.close()


def _cell(value: object) -> Cell:
    """openpyxl's value, or its text for kinds the import has no use for (rich text,
    durations, array formulas): they then fail the column's parser with a message."""
    if value is None or isinstance(value, str | int | float | Decimal | dt.date | dt.time):
        return value
    return str(value)


def _decode(data: bytes) -> str:
    for magic, what in _OTHER_FORMATS.items():
        if data.startswith(magic):
            raise ImportRefused(f"the file is {what}, not a CSV or XLSX file")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportRefused("the file starts like UTF-16 text but is not") from None
        if "\x00" in text:  # PostgreSQL refuses NUL in text; no CSV holds one
            raise ImportRefused("the file is not a CSV or XLSX file (it holds binary data)")
        return text
    if b"\x00" in data:
        raise ImportRefused("the file is not a CSV or XLSX file (it holds binary data)")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused(
        "the file is not a CSV or XLSX file: its text is neither UTF-8 nor Windows-1252"
    )


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {mark: first.count(mark) for mark in (";", ",", "\t")}
    best = max(counts, key=lambda mark: counts[mark])
    return best if counts[best] else ";"


def _csv_rows(text: str) -> Iterator[tuple[int, list[Cell]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, list(cells[:MAX_COLUMNS])
    except csv.Error as exc:
        raise ImportRefused(f"row {number + 1} is not valid CSV: {exc}") from None
