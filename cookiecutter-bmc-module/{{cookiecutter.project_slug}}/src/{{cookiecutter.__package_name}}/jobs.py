"""Background jobs of the module, run by ``bmc-hub worker`` (docs/jobs.md).

``tidy`` runs every night and on demand (``bmc-hub jobs run MODULE.tidy``,
the admin page's "Run now", or ``module.jobs.enqueue("tidy")`` from a route). Like every
write of the module it follows the safety switches: with DRY_RUN on nothing it deletes
is gone, with READ_ONLY on the database refuses the delete.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from bmc_hub_core import Job, ModuleContext

from .tables import ItemRow


def tidy(module: ModuleContext, *, older_than_days: int = 365) -> int:
    """Delete items older than ``older_than_days``; how many it deleted."""
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=older_than_days)
    with module.transaction() as session:
        old = session.scalars(sa.select(ItemRow.id).where(ItemRow.created_at < cutoff)).all()
        session.execute(sa.delete(ItemRow).where(ItemRow.id.in_(old)))
    count = len(old)
    module.logger.info("tidy: deleted %d item(s) older than %d days", count, older_than_days)
    return count


JOBS = [Job("tidy", run=tidy, cron="30 3 * * *", retries=1, description="delete old items")]
