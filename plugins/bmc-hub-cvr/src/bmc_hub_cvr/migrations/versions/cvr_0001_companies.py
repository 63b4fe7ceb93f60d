"""Companies looked up in the CVR registry, cached by CVR number.

Revision ID: cvr_0001
Revises:
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cvr_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("cvr",)
# No foreign key to the core's customers: companies are keyed by CVR number alone.
depends_on: str | Sequence[str] | None = None

TABLE = "cvr_companies"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("cvr", sa.String(8), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.String(200), nullable=True),
        sa.Column("zipcode", sa.String(10), nullable=True),
        sa.Column("city", sa.String(100), nullable=True),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("cvr", name=op.f("pk_cvr_companies")),
    )
    # The nightly job looks for the stalest companies first.
    op.create_index(op.f("ix_cvr_companies_fetched_at"), TABLE, ["fetched_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_cvr_companies_fetched_at"), table_name=TABLE)
    op.drop_table(TABLE)
