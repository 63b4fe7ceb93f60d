"""Scanned invoices: the invoice_scanner module's only table.

Revision ID: invoice_scanner_0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "invoice_scanner_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("invoice_scanner",)
# customer_id references the core's customers table, created by the core's revision
# core_0001: the hub checks the installed core has it (the core always migrates first).
depends_on: str | Sequence[str] | None = "core_0001"


def upgrade() -> None:
    op.create_table(
        "invoice_scanner_scans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("vendor_cvr", sa.String(8), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('extracted', 'no_text')", name="ck_invoice_scanner_scans_status"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name="fk_invoice_scanner_scans_customer_id_customers",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_invoice_scanner_scans"),
    )
    op.create_index(
        "ix_invoice_scanner_scans_customer_id", "invoice_scanner_scans", ["customer_id"]
    )
    op.create_index("ix_invoice_scanner_scans_vendor_cvr", "invoice_scanner_scans", ["vendor_cvr"])


def downgrade() -> None:
    op.drop_index("ix_invoice_scanner_scans_vendor_cvr", table_name="invoice_scanner_scans")
    op.drop_index("ix_invoice_scanner_scans_customer_id", table_name="invoice_scanner_scans")
    op.drop_table("invoice_scanner_scans")
