"""Create {{ cookiecutter.module_name }}_items.

Revision ID: 0001
Revises:
Create Date: 2026-01-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("{{ cookiecutter.module_name }}",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "{{ cookiecutter.module_name }}_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name="pk_{{ cookiecutter.module_name }}_items"),
    )


def downgrade() -> None:
    op.drop_table("{{ cookiecutter.module_name }}_items")
