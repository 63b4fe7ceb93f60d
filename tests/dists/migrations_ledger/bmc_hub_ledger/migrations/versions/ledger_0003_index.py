"""Index entries by customer.

Revision ID: ledger_0003
Revises: ledger_0002
"""

from alembic import op

revision = "ledger_0003"
down_revision = "ledger_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_ledger_entries_customer_id", "ledger_entries", ["customer_id"])
    op.execute("INSERT INTO ledger_runs (revision) VALUES ('ledger_0003')")


def downgrade() -> None:
    op.drop_index("ix_ledger_entries_customer_id", table_name="ledger_entries")
    op.execute("DELETE FROM ledger_runs WHERE revision = 'ledger_0003'")
