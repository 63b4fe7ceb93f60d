"""Field types for API models and parameters that keep bad input out of the database.

Module authors use them like any type (``item_id: RowId`` in a path, ``name: Text`` in a
model); each one states its bounds in the OpenAPI document, so a client knows them and a
value outside them is a 422, never a 500 from the database:

- :data:`RowId` — a database id: 1 … 2147483647 (PostgreSQL ``integer``); a larger number
  would fail in the database (``integer out of range``, SQLite's ``OverflowError``).
- :data:`Offset` — a paging offset: 0 … 1,000,000,000 (PostgreSQL refuses ``OFFSET``
  beyond a ``bigint``).
- :data:`Text` — a string without the NUL character, which PostgreSQL cannot store.
- :data:`UtcDateTime` — a timezone-aware datetime in UTC (SQLite hands back naive
  datetimes; they are UTC in the hub), so JSON shows an RFC 3339 ``date-time``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from annotated_types import Ge, Le
from pydantic import AfterValidator, StringConstraints

#: PostgreSQL's ``integer``, the type of ``sa.Integer`` primary keys.
MAX_ROW_ID = 2_147_483_647
MAX_OFFSET = 1_000_000_000

RowId = Annotated[int, Ge(1), Le(MAX_ROW_ID)]
Offset = Annotated[int, Ge(0), Le(MAX_OFFSET)]
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]


def as_utc(value: dt.datetime) -> dt.datetime:
    """Naive datetimes are UTC in the hub; aware ones are converted to UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


UtcDateTime = Annotated[dt.datetime, AfterValidator(as_utc)]
