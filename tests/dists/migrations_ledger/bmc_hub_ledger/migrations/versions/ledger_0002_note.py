"""A note column (batch mode, so SQLite rebuilds the table).

Revision ID: ledger_0002
Revises: ledger_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "ledger_0002"
down_revision = "ledger_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_entries") as batch:
        batch.add_column(sa.Column("note", sa.String(200), nullable=True))
    op.execute("INSERT INTO ledger_runs (revision) VALUES ('ledger_0002')")


def downgrade() -> None:
    with op.batch_alter_table("ledger_entries") as batch:
        batch.drop_column("note")
    op.execute("DELETE FROM ledger_runs WHERE revision = 'ledger_0002'")
