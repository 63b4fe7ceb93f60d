"""The module's one table, ``cvr_companies``: the registry's answers, cached by CVR number.

It is keyed by the CVR number, not by customer: a company is the same whichever customer
(or lookup) asked for it, and the core's ``customers.cvr`` is unique anyway. So the table
does not reference ``customers``; the nightly job joins the two on the number.
"""

from __future__ import annotations

import sqlalchemy as sa

from bmc_hub_core import module_metadata

metadata = module_metadata("cvr")

companies = sa.Table(
    "cvr_companies",
    metadata,
    sa.Column("cvr", sa.String(8), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("address", sa.String(200), nullable=True),
    sa.Column("zipcode", sa.String(10), nullable=True),
    sa.Column("city", sa.String(100), nullable=True),
    sa.Column("status", sa.String(40), nullable=False),
    # When the registry answered (UTC); the cache is fresh for `cache_hours` after it.
    sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False, index=True),
    # The registry's answer as it came (JSON text): fields beyond the contract are kept.
    sa.Column("raw", sa.Text, nullable=False),
)
