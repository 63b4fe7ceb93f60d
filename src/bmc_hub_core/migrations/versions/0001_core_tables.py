"""Core tables: hub_module_state and customers.

Revision ID: core_0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "core_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("core",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hub_module_state",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_by", sa.String(200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("change_seq", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("migration_stage", sa.String(32), nullable=True),
        sa.Column("migration_error", sa.Text(), nullable=True),
        sa.Column("migration_revision", sa.String(64), nullable=True),
        sa.Column("migration_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_hub_module_state"),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("cvr", sa.String(8), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name="pk_customers"),
        sa.UniqueConstraint("cvr", name="uq_customers_cvr"),
    )


def downgrade() -> None:
    op.drop_table("customers")
    op.drop_table("hub_module_state")
