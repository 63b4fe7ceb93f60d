"""Bring the core's own tables to head. A failure here is fatal: the core needs them."""

from __future__ import annotations

import functools
import logging

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from ..errors import CoreMigrationError
from .engine import (
    ALEMBIC_THREAD_LOCK,
    CORE_VERSION_TABLE,
    CORE_VERSIONS,
    ENV_DIR,
    make_config,
    migration_engine,
)
from .tracking import read_current

log = logging.getLogger(__name__)


def _core_script() -> ScriptDirectory:
    return ScriptDirectory(ENV_DIR, version_locations=[CORE_VERSIONS])


@functools.cache
def core_revisions() -> frozenset[str]:
    """Every revision id of the installed core (what a module may depend on)."""
    return frozenset(r.revision for r in _core_script().walk_revisions())


def core_heads() -> set[str]:
    return set(_core_script().get_heads())


def core_pending(engine: Engine) -> int:
    """How many core revisions the database does not have yet."""
    script = _core_script()
    done: set[str] = set()
    for rev in core_current(engine):
        done.update(r.revision for r in script.walk_revisions("base", rev))
    return len([r for r in script.walk_revisions() if r.revision not in done])


def core_current(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(read_current(conn, CORE_VERSION_TABLE))


def core_is_current(engine: Engine) -> bool:
    """Lock-free precheck: is the core already at head?"""
    return core_current(engine) == core_heads()


def upgrade_core(app_engine: Engine) -> None:
    """Upgrade the core in one transaction. Call it while holding the migration lock."""
    engine = migration_engine(app_engine)
    try:
        with ALEMBIC_THREAD_LOCK, engine.connect() as conn, conn.begin():
            config = make_config(conn, versions=CORE_VERSIONS, version_table=CORE_VERSION_TABLE)
            command.upgrade(config, "heads")
    # Any failure of the core's own migration stops startup with one clear message.
    except Exception as exc:
        raise CoreMigrationError(
            f"the core's database migration failed ({type(exc).__name__}: {exc}); the hub "
            f"cannot run without its tables. Check BMC_HUB_DATABASE_URL "
            f"({app_engine.url.render_as_string(hide_password=True)}) and database permissions"
        ) from exc
    finally:
        engine.dispose()
    log.info("core database schema is at head")
