"""What the module shows on the hub's customer page: the scans matched to the customer
(by the vendor's CVR) and the latest one. Both queries use the ``customer_id`` index."""

from __future__ import annotations

import sqlalchemy as sa

from bmc_hub_core import CustomerInfo, CustomerPanel, ModuleContext

from .store import to_scan
from .tables import scans

SUMMARY = [c for c in scans.c if c.name != "text"]


def customer_panel(module: ModuleContext, customer: CustomerInfo) -> CustomerPanel | None:
    """None for a customer without a CVR: no invoice can be matched to it."""
    if customer.cvr is None:
        return None
    mine = scans.c.customer_id == customer.id
    with module.session() as session:
        count = session.execute(sa.select(sa.func.count()).select_from(scans).where(mine))
        total = int(count.scalar_one())
        row = (
            session.execute(sa.select(*SUMMARY).where(mine).order_by(scans.c.id.desc()).limit(1))
            .mappings()
            .first()
        )
    rows = [("Scanned invoices", str(total))]
    if row is None:
        return CustomerPanel("Invoice scanner", rows, link="/", link_text="Scan an invoice")
    latest = to_scan(row)
    amount = latest.fields.total_amount.value
    currency = latest.fields.currency.value or ""
    rows.append(("Latest", f"{latest.filename}, {latest.created_at:%Y-%m-%d}"))
    if amount is not None:
        rows.append(("Latest total", f"{amount} {currency}".strip()))
    return CustomerPanel(
        "Invoice scanner", rows, link=f"/scans/{latest.id}", link_text="Open the latest scan"
    )
