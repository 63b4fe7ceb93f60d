"""Create alpha_notes, the table of the sqladmin recipe."""

import sqlalchemy as sa
from alembic import op

revision = "alpha_0001"
down_revision = None
branch_labels = ("alpha",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alpha_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(80), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("alpha_notes")
