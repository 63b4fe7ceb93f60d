"""What the module shows on the hub's customer page: subscriptions by status and the lock.

Two small indexed queries (the natural key's index starts with ``customer_id``; the lock
table's key is ``customer_id``), so the panel stays well within the hook's time budget.
"""

from __future__ import annotations

import sqlalchemy as sa

from bmc_hub_core import CustomerInfo, CustomerPanel, ModuleContext

from .tables import STATUSES, customer_locks, subscriptions

LABELS = {"active": "Active", "paused": "Paused", "cancelled": "Cancelled"}


def customer_panel(module: ModuleContext, customer: CustomerInfo) -> CustomerPanel:
    with module.session() as session:
        counts = dict(
            session.execute(
                sa.select(subscriptions.c.status, sa.func.count())
                .where(subscriptions.c.customer_id == customer.id)
                .group_by(subscriptions.c.status)
            ).all()
        )
        lock = session.execute(
            sa.select(customer_locks.c.reason, customer_locks.c.locked_at).where(
                customer_locks.c.customer_id == customer.id
            )
        ).first()
    rows = [(LABELS[status], str(counts.get(status, 0))) for status in STATUSES]
    if lock is None:
        rows.append(("Locked", "No"))
    else:
        since = lock.locked_at.strftime("%Y-%m-%d")
        rows.append(("Locked", f"Yes, since {since}: {lock.reason}"))
    return CustomerPanel(
        title="Subscriptions",
        rows=rows,
        link=f"/?customer_id={customer.id}",
        link_text="Open subscriptions",
    )
