"""The module's tables; every name starts with ``subscriptions_``.

``customer_id`` references the core table ``customers``:

- subscriptions: ``ON DELETE RESTRICT``. A subscription is billing history; deleting a
  customer must not silently delete what they pay for. The core answers the customer
  ``DELETE`` with 409 while subscriptions reference it: delete those first.
- locks: ``ON DELETE CASCADE``. A lock says nothing without its customer.
"""

from __future__ import annotations

import sqlalchemy as sa

from bmc_hub_core import module_metadata
from bmc_hub_core.db import customers

metadata = module_metadata("subscriptions")

INTERVALS = ("monthly", "quarterly", "yearly")
STATUSES = ("active", "paused", "cancelled")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


subscriptions = sa.Table(
    "subscriptions_subscriptions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "customer_id",
        sa.Integer,
        sa.ForeignKey(customers.c.id, ondelete="RESTRICT"),
        nullable=False,
    ),
    sa.Column("product", sa.String(200), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit_price", sa.Numeric(12, 2), nullable=False),
    sa.Column("currency", sa.CHAR(3), nullable=False),
    sa.Column("interval", sa.String(16), nullable=False),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("end_date", sa.Date, nullable=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column(
        "created_at",
        sa.DateTime(timezone=True),
        nullable=False,
        server_default=sa.func.current_timestamp(),
    ),
    sa.Column(
        "updated_at",
        sa.DateTime(timezone=True),
        nullable=False,
        server_default=sa.func.current_timestamp(),
    ),
    # The natural key: an import row with the same customer, product and start date
    # updates this subscription instead of adding a second one. Its index also serves
    # every lookup by customer.
    sa.UniqueConstraint("customer_id", "product", "start_date"),
    sa.CheckConstraint("quantity > 0", name="quantity"),
    sa.CheckConstraint("unit_price >= 0", name="unit_price"),
    sa.CheckConstraint("length(currency) = 3", name="currency"),
    sa.CheckConstraint(_in("interval", INTERVALS), name="interval"),
    sa.CheckConstraint(_in("status", STATUSES), name="status"),
    sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates"),
)

customer_locks = sa.Table(
    "subscriptions_customer_locks",
    metadata,
    sa.Column(
        "customer_id",
        sa.Integer,
        sa.ForeignKey(customers.c.id, ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column(
        "locked_at",
        sa.DateTime(timezone=True),
        nullable=False,
        server_default=sa.func.current_timestamp(),
    ),
    sa.Column("locked_by", sa.String(200), nullable=False),
)
