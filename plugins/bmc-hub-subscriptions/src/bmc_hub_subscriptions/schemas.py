"""The JSON shapes of the API (requests, answers and errors)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from bmc_hub_core import Text

from .settings import Currency

#: The largest id an ``INTEGER`` column holds; a bigger one is a 422, never a 500.
MAX_ID = 2_147_483_647
#: How far a client may page (the database would scan that far).
MAX_OFFSET = 10_000_000
CENT = Decimal("0.01")

Interval = Literal["monthly", "quarterly", "yearly"]
Status = Literal["active", "paused", "cancelled"]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _cents(value: Decimal) -> Decimal:
    """Two decimal places, and ``0.00`` rather than ``-0.00``."""
    value = value.quantize(CENT)
    return value if value else Decimal("0.00")


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# The rules are patterns, so the OpenAPI document states them: a client can tell what
# is accepted (PostgreSQL refuses NUL in text; other control characters in a product
# name are copy-paste accidents).
Product = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$"
    ),
]
Reason = Annotated[
    Text,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
]


def _not_a_number(value: object) -> object:
    if isinstance(value, int | float):
        raise ValueError("give the date as text: YYYY-MM-DD")
    return value


#: A calendar date as an ISO 8601 string ("2026-11-01"): a number is not a date here.
IsoDate = Annotated[dt.date, BeforeValidator(_not_a_number)]
Quantity = Annotated[int, Field(gt=0, le=MAX_ID)]
Price = Annotated[
    Decimal,
    Field(ge=0, max_digits=12, decimal_places=2, examples=["1250.00"]),
    AfterValidator(_cents),
]
#: Prices leave the API as strings with two decimals ("1250.00"): no float rounding.
PriceOut = Annotated[
    Decimal,
    AfterValidator(_cents),
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str, when_used="json"),
    WithJsonSchema(
        {"type": "string", "pattern": r"^\d+\.\d{2}$", "examples": ["1250.00"]},
        mode="serialization",
    ),
]
UtcDatetime = Annotated[dt.datetime, AfterValidator(_utc)]


class ValidationIssue(BaseModel):
    model_config = ConfigDict(extra="allow")

    loc: list[str | int]
    msg: str
    type: str


class Unprocessable(BaseModel):
    """422: a request that failed validation (a list, FastAPI's shape) or that names
    something that does not exist, such as an unknown customer (one line)."""

    detail: str | list[ValidationIssue]


class SubscriptionIn(BaseModel):
    """A subscription as a client sends it (``POST`` creates, ``PUT`` replaces)."""

    model_config = ConfigDict(extra="forbid")

    customer_id: Id = Field(description="id of a customer of the core (/api/v1/customers)")
    product: Product
    quantity: Quantity
    unit_price: Price
    currency: Currency | None = Field(
        default=None, description="ISO 4217 code; omitted: the module's default_currency"
    )
    interval: Interval
    start_date: IsoDate
    end_date: IsoDate | None = None
    status: Status = "active"

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> Self:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        return self


class Subscription(BaseModel):
    """A stored subscription."""

    id: int
    customer_id: int
    product: str
    quantity: int
    unit_price: PriceOut
    currency: str
    interval: Interval
    start_date: dt.date
    end_date: dt.date | None
    status: Status
    created_at: UtcDatetime
    updated_at: UtcDatetime


class SubscriptionPage(BaseModel):
    items: list[Subscription]
    total: int = Field(description="how many subscriptions match the filters in all")
    limit: int
    offset: int


class LockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


class Lock(BaseModel):
    """A customer's lock state; ``locked`` is false (and the rest null) when unlocked."""

    customer_id: int
    locked: bool
    reason: str | None = None
    locked_at: UtcDatetime | None = None
    locked_by: str | None = None


class RowError(BaseModel):
    """One refused row; ``row`` is the row number as the sheet shows it (header = 1)."""

    row: int
    message: str


class ImportReport(BaseModel):
    created: int
    updated: int = Field(description="rows that matched an existing subscription")
    skipped: int = Field(description="blank rows")
    errors: list[RowError]


def row_to_subscription(row: Any) -> Subscription:
    return Subscription.model_validate(dict(row))
