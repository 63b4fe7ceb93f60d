"""Test module ``ledger``: its migrations log every run into ``ledger_runs``."""

from pathlib import Path

import sqlalchemy as sa

from bmc_hub_core import hookimpl, module_metadata
from bmc_hub_core.db import customers

metadata = module_metadata("ledger")

sa.Table(
    "ledger_runs",
    metadata,
    sa.Column("revision", sa.String(32), primary_key=True),
)
sa.Table(
    "ledger_entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "customer_id",
        sa.Integer,
        # A Column object: the core's table lives in the core's MetaData, not ours.
        sa.ForeignKey(customers.c.id, ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("amount", sa.Integer, nullable=False),
    sa.Column("note", sa.String(200), nullable=True),
)


@hookimpl
def register_migrations() -> Path:
    return Path(__file__).parent / "migrations" / "versions"
