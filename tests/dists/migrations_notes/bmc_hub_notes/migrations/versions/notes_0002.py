"""A view over notes.

Revision ID: notes_0002
Revises: notes_0001
"""

from alembic import op

revision = "notes_0002"
down_revision = "notes_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE VIEW notes_recent AS SELECT id, text FROM notes_items")


def downgrade() -> None:
    op.execute("DROP VIEW notes_recent")
