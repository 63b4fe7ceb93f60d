"""One data row of the sheet → a checked candidate subscription (no database needed)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from . import values
from .columns import Columns
from .values import Cell

T = TypeVar("T")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class RowInvalid(ValueError):
    """Every problem of one row, joined into one message."""


@dataclass(frozen=True)
class Candidate:
    row: int
    cvr: str | None
    customer_name: str | None
    product: str
    quantity: int
    unit_price: Decimal
    currency: str
    interval: str
    start_date: dt.date
    end_date: dt.date | None
    #: None: the sheet says nothing, so a new subscription is active and an existing one
    #: keeps its status.
    status: str | None

    @property
    def customer_label(self) -> str:
        return f"CVR {self.cvr}" if self.cvr else repr(self.customer_name)


def _product(cell: Cell) -> str:
    product = values.text(cell)
    if not product:
        raise ValueError("product is empty")
    if len(product) > 200:
        raise ValueError(f"product is {len(product)} characters long; the limit is 200")
    if _CONTROL.search(product):
        raise ValueError("product contains control characters such as NUL or line breaks")
    return product


def parse_row(number: int, cells: Sequence[Cell], columns: Columns, currency: str) -> Candidate:
    """The row's candidate, or :class:`RowInvalid` naming every problem of the row."""
    problems: list[str] = []

    def field(name: str, parse: Callable[[Cell], T], default: T) -> T:
        try:
            return parse(columns.get(cells, name))
        except ValueError as exc:
            problems.append(str(exc))
            return default

    cvr_cell, name_cell = columns.get(cells, "cvr"), columns.get(cells, "customer")
    cvr = None if values.is_blank(cvr_cell) else field("cvr", values.cvr, None)
    name = None if values.is_blank(name_cell) else values.text(name_cell)
    if values.is_blank(cvr_cell) and name is None:
        problems.append("the row names no customer (fill in the cvr or customer column)")
    product = field("product", _product, "")
    quantity = field("quantity", values.quantity, 0)
    unit_price = field("unit_price", values.price, Decimal(0))
    interval = field("interval", values.interval, "")
    start = field("start_date", lambda c: values.date(c, "start date"), dt.date.min)
    end_cell = columns.get(cells, "end_date")
    end = (
        None
        if values.is_blank(end_cell)
        else field("end_date", lambda c: values.date(c, "end date"), None)
    )
    currency_cell = columns.get(cells, "currency")
    if not values.is_blank(currency_cell):
        currency = field("currency", values.currency, currency)
    status_cell = columns.get(cells, "status")
    status = None if values.is_blank(status_cell) else field("status", values.status, None)
    if end is not None and start != dt.date.min and end < start:
        problems.append(f"end date {end} is before start date {start}")
    if problems:
        raise RowInvalid("; ".join(problems))
    return Candidate(
        row=number,
        cvr=cvr,
        customer_name=name,
        product=product,
        quantity=quantity,
        unit_price=unit_price,
        currency=currency,
        interval=interval,
        start_date=start,
        end_date=end,
        status=status,
    )
