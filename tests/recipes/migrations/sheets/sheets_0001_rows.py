"""Create sheets_rows, the table of the openpyxl upload recipe."""

import sqlalchemy as sa
from alembic import op

revision = "sheets_0001"
down_revision = None
branch_labels = ("sheets",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sheets_rows",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("amount", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sheets_rows")
