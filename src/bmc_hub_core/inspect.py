"""Load the hub exactly as the server does, without a server: for the CLI and checks."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from .advice import Advice, advise
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
    advice: Advice = field(default_factory=Advice)


def inspect_hub(settings: Settings) -> Inspection:
    """Load the hub exactly as the server does; read persisted state if any.

    The app is built as the server builds it (``create_app``, without starting it), so
    ``register_routes``/``register_views`` run and their problems fail the module; with
    ``BMC_HUB_AUTO_MIGRATE=false`` a module whose schema is behind is failed, as the server
    fails it. Never migrates and never writes. A database that is unreachable or not yet
    migrated is reported in ``database_note``; module states then reflect the code alone,
    and revision files are still loaded and checked.
    """
    from .app import create_app  # FastAPI: what the server builds, the CLI builds

    hub: Hub = create_app(settings).state.hub
    result = Inspection(hub, advice=advise(hub))
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
        observe_migrations(hub, behind_fails=not settings.auto_migrate)
    return result
