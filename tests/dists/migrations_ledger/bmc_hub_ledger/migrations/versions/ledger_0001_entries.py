"""Entries (foreign key to the core's customers) and a log of migration runs.

Revision ID: ledger_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "ledger_0001"
down_revision = None
branch_labels = ("ledger",)
depends_on = None


def upgrade() -> None:
    op.create_table("ledger_runs", sa.Column("revision", sa.String(32), primary_key=True))
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "customer_id",
            sa.Integer,
            sa.ForeignKey(
                "customers.id",
                ondelete="CASCADE",
                name="fk_ledger_entries_customer_id_customers",
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.Integer, nullable=False),
    )
    op.execute("INSERT INTO ledger_runs (revision) VALUES ('ledger_0001')")


def downgrade() -> None:
    op.drop_table("ledger_entries")
    op.drop_table("ledger_runs")
