"""The hello module's tables: every name starts with ``hello_``."""

from __future__ import annotations

import sqlalchemy as sa

from bmc_hub_core import module_metadata

metadata = module_metadata("hello")

greetings = sa.Table(
    "hello_greetings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("message", sa.String(200), nullable=False),
    sa.Column(
        "created_at",
        sa.DateTime(timezone=True),
        nullable=False,
        server_default=sa.func.current_timestamp(),
    ),
)
