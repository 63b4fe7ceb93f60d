"""Subscriptions of the core's customers, and customer locks.

Revision ID: subscriptions_0001
Revises:
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "subscriptions_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("subscriptions",)
# customer_id references the core's customers table, created by the core's revision
# core_0001: the hub checks the installed core has it (the core always migrates first).
depends_on: str | Sequence[str] | None = "core_0001"

TABLE = "subscriptions_subscriptions"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(12, 2), nullable=False),
        sa.Column("currency", sa.CHAR(3), nullable=False),
        sa.Column("interval", sa.String(16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(16), server_default="active", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions_subscriptions")),
        # RESTRICT: deleting a customer who still has subscriptions fails (the core
        # answers 409); subscriptions are billing history, never deleted as a side effect.
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            ondelete="RESTRICT",
            name=op.f("fk_subscriptions_subscriptions_customer_id_customers"),
        ),
        sa.UniqueConstraint(
            "customer_id",
            "product",
            "start_date",
            name=op.f("uq_subscriptions_subscriptions_customer_id_product_start_date"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_subscriptions_subscriptions_quantity")),
        sa.CheckConstraint(
            "unit_price >= 0", name=op.f("ck_subscriptions_subscriptions_unit_price")
        ),
        sa.CheckConstraint(
            "length(currency) = 3", name=op.f("ck_subscriptions_subscriptions_currency")
        ),
        sa.CheckConstraint(
            "interval IN ('monthly', 'quarterly', 'yearly')",
            name=op.f("ck_subscriptions_subscriptions_interval"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'paused', 'cancelled')",
            name=op.f("ck_subscriptions_subscriptions_status"),
        ),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date",
            name=op.f("ck_subscriptions_subscriptions_dates"),
        ),
    )
    op.create_table(
        "subscriptions_customer_locks",
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column(
            "locked_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("locked_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_subscriptions_customer_locks")),
        # CASCADE: a lock means nothing once its customer is gone.
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            ondelete="CASCADE",
            name=op.f("fk_subscriptions_customer_locks_customer_id_customers"),
        ),
    )


def downgrade() -> None:
    op.drop_table("subscriptions_customer_locks")
    op.drop_table(TABLE)
