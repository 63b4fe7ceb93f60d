"""Create beta_notes, the table of the sqladmin recipe."""

import sqlalchemy as sa
from alembic import op

revision = "beta_0001"
down_revision = None
branch_labels = ("beta",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "beta_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(80), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("beta_notes")
