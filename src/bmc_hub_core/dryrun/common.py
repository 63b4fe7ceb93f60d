"""What the DRY_RUN connection classes share: the refusal and the raw-SQL check."""

from __future__ import annotations

from ..errors import DryRunViolation
from .statements import transaction_control


def violation(module: str, what: str) -> DryRunViolation:
    return DryRunViolation(
        f"module '{module}' is in DRY_RUN: {what} would keep its writes, so the hub refuses "
        "it; use the session's or connection's commit(), which keeps nothing while "
        f"DRY_RUN is on (set MODULES__{module.upper()}__DRY_RUN=false to really write)"
    )


def check_sql(module: str | None, sql: object) -> None:
    """Refuse transaction-control SQL on a connection in DRY_RUN for ``module``."""
    if module is None:
        return
    if isinstance(sql, bytes):
        sql = sql.decode("utf-8", "replace")
    if isinstance(sql, str) and (control := transaction_control(sql)) is not None:
        raise violation(module, f"the SQL statement {control}")
