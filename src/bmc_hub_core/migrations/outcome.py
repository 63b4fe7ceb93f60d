"""The persisted migration outcome of each module (``hub_module_state.migration_*``).

Written by whichever process migrated, in its own short transaction after the module's
rollback, so every worker, replica and CLI reports the same ``failed`` (stage
``migrate``) state. A successful migration clears it.

It also keeps the code the migration failed with (:func:`code_of`: the module's version
and a digest of its revision files): a process that starts with the same code does not
try the failing migration again (every replica would otherwise retry it at every start);
a new module version, an edited revision file or ``bmc-hub db upgrade --retry NAME`` does.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from ..db import hub_module_state, utcnow
from ..types import Stage


@dataclass(frozen=True)
class PersistedFailure:
    error: str
    revision: str | None
    code: str | None = None


def code_of(version: str | None, versions: Path) -> str:
    """``VERSION+DIGEST``: the module version and a digest of its revision files."""
    digest = hashlib.sha256()
    for path in sorted(versions.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{version or '0'}+{digest.hexdigest()[:16]}"


def read_failures(engine: Engine) -> dict[str, PersistedFailure]:
    """name → last failed migration (empty when the core table does not exist yet)."""
    table = hub_module_state
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    table.c.name,
                    table.c.migration_error,
                    table.c.migration_revision,
                    table.c.migration_code,
                ).where(table.c.migration_stage.is_not(None))
            ).all()
    except SQLAlchemyError:
        return {}
    return {
        name: PersistedFailure(error or "", revision, code) for name, error, revision, code in rows
    }


def record_failure(
    engine: Engine, name: str, error: str, revision: str | None, code: str | None
) -> None:
    values = {
        "migration_stage": str(Stage.MIGRATE),
        "migration_error": error,
        "migration_revision": revision,
        "migration_at": utcnow(),
        "migration_code": code,
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
                migration_code=None,
            )
        )
