"""The persisted migration outcome of each module (``hub_module_state.migration_*``).

Written by whichever process migrated, in its own short transaction after the module's
rollback, so every worker, replica and CLI reports the same ``failed`` (stage
``migrate``) state. A successful migration clears it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from ..db import hub_module_state, utcnow
from ..types import Stage


@dataclass(frozen=True)
class PersistedFailure:
    error: str
    revision: str | None


def read_failures(engine: Engine) -> dict[str, PersistedFailure]:
    """name → last failed migration (empty when the core table does not exist yet)."""
    table = hub_module_state
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(table.c.name, table.c.migration_error, table.c.migration_revision).where(
                    table.c.migration_stage.is_not(None)
                )
            ).all()
    except SQLAlchemyError:
        return {}
    return {name: PersistedFailure(error or "", revision) for name, error, revision in rows}


def record_failure(engine: Engine, name: str, error: str, revision: str | None) -> None:
    values = {
        "migration_stage": str(Stage.MIGRATE),
        "migration_error": error,
        "migration_revision": revision,
        "migration_at": utcnow(),
    }
    with engine.begin() as conn:
        updated = conn.execute(
            sa.update(hub_module_state).where(hub_module_state.c.name == name).values(**values)
        ).rowcount
        if not updated:
            conn.execute(sa.insert(hub_module_state).values(name=name, **values))


def clear_failure(engine: Engine, name: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.update(hub_module_state)
            .where(hub_module_state.c.name == name, hub_module_state.c.migration_stage.is_not(None))
            .values(
                migration_stage=None,
                migration_error=None,
                migration_revision=None,
                migration_at=None,
            )
        )
