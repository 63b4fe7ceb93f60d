"""Browser sign-in sessions, the hub's own secrets, and the code a migration failed with.

Revision ID: core_0002
Revises: core_0001
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "core_0002"
down_revision: str | Sequence[str] | None = "core_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hub_secrets",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_hub_secrets"),
    )
    op.create_table(
        "hub_sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_hub_sessions"),
    )
    op.create_index("ix_hub_sessions_expires_at", "hub_sessions", ["expires_at"])
    with op.batch_alter_table("hub_module_state") as batch:
        # The module version + revision files a migration failed with: another process
        # with the same code does not try it again (DESIGN §5).
        batch.add_column(sa.Column("migration_code", sa.String(128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hub_module_state") as batch:
        batch.drop_column("migration_code")
    op.drop_index("ix_hub_sessions_expires_at", table_name="hub_sessions")
    op.drop_table("hub_sessions")
    op.drop_table("hub_secrets")
