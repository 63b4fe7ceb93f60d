"""Load the hub exactly as the server does, without a server: for the CLI and checks."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from .db import is_sqlite
from .hub import Hub
from .migrations.collect import collect
from .migrations.runner import observe_migrations
from .settings import Settings
from .state import StateRow, apply_rows, read_rows

log = logging.getLogger(__name__)


@dataclass
class Inspection:
    hub: Hub
    rows: dict[str, StateRow] = field(default_factory=dict)
    database_note: str | None = None


def inspect_hub(settings: Settings, *, routes: bool = False) -> Inspection:
    """Discover, import and configure allowed modules; read persisted state if any.

    With ``routes``, the app is built as the server builds it (``create_app``, without
    starting it), so ``register_routes``/``register_views`` run and their problems fail
    the module. Never migrates and never writes. A database that is unreachable or not
    yet migrated is reported in ``database_note``; module states then reflect the code
    alone, and revision files are still loaded and checked.
    """
    if routes:
        from .app import create_app  # FastAPI: only the checks that need it

        hub: Hub = create_app(settings).state.hub
    else:
        hub = Hub.build(settings)
    result = Inspection(hub)
    database = hub.engine.url.database
    if (
        is_sqlite(hub.engine.url)
        and database not in (None, "", ":memory:")
        and not Path(database).exists()
    ):
        result.database_note = f"database {database} does not exist yet (run `bmc-hub db upgrade`)"
        apply_rows(hub.registry, {})
        collect(hub)  # the revision files, without a database
        return result
    try:
        result.rows = read_rows(hub.engine)
    except SQLAlchemyError as exc:
        result.database_note = (
            "persisted state not read (run `bmc-hub db upgrade` first?): "
            + str(exc).splitlines()[0]
        )
    apply_rows(hub.registry, result.rows)
    if result.database_note:
        collect(hub)  # the revision files, without a database
    else:
        # Current revisions and persisted migration failures, read-only.
        observe_migrations(hub)
    return result
