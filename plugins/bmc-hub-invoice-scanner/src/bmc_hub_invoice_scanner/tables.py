"""The module's one table, ``invoice_scanner_scans``: every name starts with the prefix.

The schema is created by the Alembic revisions in ``migrations/versions/``; this
description is used for queries and must match it (``assert_migrations_conform`` checks).
"""

from __future__ import annotations

import sqlalchemy as sa

from bmc_hub_core import module_metadata
from bmc_hub_core.db import customers

NAME = "invoice_scanner"

metadata = module_metadata(NAME)

scans = sa.Table(
    f"{NAME}_scans",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("filename", sa.String(255), nullable=False),
    # What the content is (sniffed), not what the client claimed.
    sa.Column("content_type", sa.String(100), nullable=False),
    sa.Column("size_bytes", sa.Integer, nullable=False),
    sa.Column("pages", sa.Integer, nullable=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("message", sa.Text, nullable=True),
    # {"invoice_number": {"value": "2026-001", "confidence": 0.95}, ...}
    sa.Column("fields", sa.JSON, nullable=False),
    sa.Column("vendor_cvr", sa.String(8), nullable=True, index=True),
    # Scans are worth keeping when a customer is deleted: the link is cleared.
    sa.Column(
        "customer_id",
        sa.Integer,
        sa.ForeignKey(customers.c.id, ondelete="SET NULL"),
        nullable=True,
        index=True,
    ),
    # The extracted text, for the detail page and for re-reading later.
    sa.Column("text", sa.Text, nullable=False),
    sa.Column(
        "created_at",
        sa.DateTime(timezone=True),
        nullable=False,
        server_default=sa.func.current_timestamp(),
    ),
    sa.CheckConstraint("status IN ('extracted', 'no_text')", name="status"),
)
