"""Creates its own table, then one that is not prefixed.

Revision ID: sneaky_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "sneaky_0001"
down_revision = None
branch_labels = ("sneaky",)
depends_on = None


def upgrade() -> None:
    op.create_table("sneaky_items", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("CREATE TABLE audit_log (id INTEGER)")


def downgrade() -> None:
    op.drop_table("sneaky_items")
