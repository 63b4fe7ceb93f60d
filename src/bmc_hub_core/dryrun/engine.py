"""The engine a DRY_RUN module is given, and the cleanup at the end of its requests.

``module.engine`` of a module whose DRY_RUN switch is on is a :class:`DryRunEngine`: it
shares the hub's engine and pool (no extra connections), and every connection it hands
out — to ``connect()``, ``begin()``, a ``Session``, a ``sessionmaker`` or
``raw_connection()`` — is put in DRY_RUN (:mod:`.drivers`). The pool rolls it back when
it comes back. A connection a request left checked out (a session never closed) is
ended when the request ends, so it cannot hold SQLite's write lock.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar, Token
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.base import OptionEngine
from sqlalchemy.pool import PoolProxiedConnection

from ..errors import DryRunViolation
from . import drivers

log = logging.getLogger(__name__)

#: Connections a dry-run module checked out during the current request.
_OPEN: ContextVar[list[PoolProxiedConnection] | None] = ContextVar(
    "bmc_hub_dry_run_open", default=None
)


class DryRunEngine(OptionEngine):
    """The hub's engine as seen by one DRY_RUN module: same pool, dry connections."""

    def __init__(self, proxied: Engine, module: str) -> None:
        super().__init__(proxied, {})
        self.dry_run_module = module

    def raw_connection(self) -> PoolProxiedConnection:
        # Connection(), begin(), sessions and raw_connection() all come through here.
        fairy = super().raw_connection()
        try:
            supported = drivers.start(fairy.dbapi_connection, self.dry_run_module)
        except BaseException:
            fairy.invalidate()
            raise
        if not supported:
            fairy.close()
            raise DryRunViolation(
                f"module '{self.dry_run_module}' is in DRY_RUN, and the database driver "
                f"{type(fairy.dbapi_connection).__module__} cannot keep writes from being "
                "committed; use SQLite or PostgreSQL through psycopg2"
            )
        bucket = _OPEN.get()
        if bucket is not None:
            bucket.append(fairy)
        return fairy


def dry_run_engine(engine: Engine, module: str) -> Engine:
    """``engine`` as module ``module`` sees it while its DRY_RUN switch is on."""
    return DryRunEngine(engine, module)


def _on_checkin(dbapi_connection: Any, record: Any) -> None:
    if dbapi_connection is None:
        return
    try:
        drivers.finish(dbapi_connection)
    # A connection that cannot even roll back is closed rather than reused.
    except Exception as exc:  # noqa: BLE001
        log.warning("a dry-run connection could not be rolled back; closing it: %s", exc)
        record.invalidate(exc)


def install(engine: Engine) -> None:
    """Make ``engine``'s pool end DRY_RUN (roll back) when a connection comes back."""
    event.listen(engine, "checkin", _on_checkin)


def open_request_scope() -> Token[list[PoolProxiedConnection] | None]:
    """Start tracking the connections the current request's module checks out."""
    return _OPEN.set([])


def close_request_scope(token: Token[list[PoolProxiedConnection] | None], module: str) -> int:
    """End the request: close what it left checked out; returns how many."""
    bucket = _OPEN.get() or []
    _OPEN.reset(token)
    leaked = [fairy for fairy in bucket if fairy.dbapi_connection is not None]
    for fairy in leaked:
        # Closing the driver connection rolls its transaction back and releases its locks;
        # a session still holding it fails on its next use instead of writing.
        fairy.invalidate()
    if leaked:
        log.warning(
            "module '%s' left %d database connection(s) open at the end of a request; the "
            "hub rolled them back (close sessions: `with module.session() as session:`)",
            module,
            len(leaked),
        )
    return len(leaked)
