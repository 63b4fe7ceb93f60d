"""Driver connections that can be put in DRY_RUN: their commits keep nothing.

Every connection of the hub's engine is one of the hub's subclasses of the driver's own
connection class (``sqlite3.connect(factory=...)``, ``psycopg2.connect(
connection_factory=...)``, both documented driver APIs). Until :func:`start` marks one
for a module, they behave exactly like the driver's. While marked:

- ``commit()`` (from SQLAlchemy, a ``with connection:`` block or the module itself) is a
  no-op: the transaction stays open, the module reads its own writes, and the pool rolls
  everything back when the connection comes back (:func:`finish`);
- ``rollback()`` rolls back and, on SQLite, the next statement that could write opens
  the next transaction first, so no write ever runs in autocommit (a plain ``SELECT``
  runs as it would outside DRY_RUN: a read-only request costs no ``BEGIN``/``ROLLBACK``);
- transaction-control SQL (``COMMIT``, ``END``, ``ROLLBACK``, ``BEGIN``, ``PREPARE
  TRANSACTION`` ...), ``executescript`` (which commits first) and switching the
  connection to autocommit raise :class:`~bmc_hub_core.errors.DryRunViolation`.
"""

from __future__ import annotations

from typing import Any


def connect_args(backend: str) -> dict[str, Any]:
    """What ``create_engine(connect_args=...)`` needs for the hub's connection classes."""
    if backend == "sqlite":
        from .sqlite import HubSqliteConnection

        return {"factory": HubSqliteConnection}
    if backend == "postgresql":
        try:
            from .postgres import HubPgConnection
        except ImportError:  # no psycopg2: the engine reports the missing driver itself
            return {}
        return {"connection_factory": HubPgConnection}
    return {}


def start(dbapi_connection: Any, module: str) -> bool:
    """Put a fresh checkout in DRY_RUN for ``module``; False if the driver cannot."""
    begin = getattr(dbapi_connection, "_start_dry_run", None)
    if begin is None:
        return False
    if getattr(dbapi_connection, "dry_run_module", None) != module:
        begin(module)
    return True


def finish(dbapi_connection: Any) -> None:
    """Back from DRY_RUN (the pool took the connection back): roll everything back."""
    if getattr(dbapi_connection, "dry_run_module", None) is not None:
        dbapi_connection._finish_dry_run()
