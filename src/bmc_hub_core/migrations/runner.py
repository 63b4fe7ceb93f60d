"""The migration run: lock, core, then each module in dependency order.

A lock-free precheck finds the common case (everything at head) without taking the
lock; otherwise the run takes the hub-wide lock, re-checks, upgrades the core (fatal
on failure) and then each module in its own sandboxed transaction (never fatal).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError

from ..errors import (
    CoreMigrationError,
    DatabaseAheadError,
    MigrationBusy,
    ModuleMigrationError,
)
from ..hub import Hub
from ..types import ModuleState, Stage
from .apply import move
from .branch import Branch
from .collect import collect, fail_if_dependency_failed
from .core import core_heads, core_is_current, upgrade_core
from .engine import CORE_VERSION_TABLE
from .lock import migration_lock
from .outcome import PersistedFailure, clear_failure, code_of, read_failures, record_failure
from .tracking import read_currents as read_version_tables

log = logging.getLogger(__name__)


@dataclass
class MigrationReport:
    """What one run did: for the CLI's summary and exit code."""

    core_upgraded: bool = False
    upgraded: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    #: Allowed but not installed: nothing to migrate, and not a failure (an uninstalled
    #: module's tables stay; ``db status`` lists them as orphans).
    missing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def read_versions(
    hub: Hub, branches: dict[str, Branch | None]
) -> tuple[set[str], dict[str, tuple[str, ...]]]:
    """The core's revisions, and name → each module's: one catalog query, one SELECT."""
    tables = {name: branch.version_table for name, branch in branches.items() if branch}
    with hub.engine.connect() as conn:
        found = read_version_tables(conn, [CORE_VERSION_TABLE, *tables.values()])
    return set(found[CORE_VERSION_TABLE]), {name: found[t] for name, t in tables.items()}


def _judge(
    hub: Hub,
    branch: Branch,
    current: tuple[str, ...],
    failures: dict[str, PersistedFailure] | None,
    *,
    behind_fails: bool = False,
) -> bool:
    """Fill ``record.migration``; fail the module when this process must not serve it.

    ``failures`` (read-only callers) applies persisted failures and reports pending
    revisions; the migrating caller passes None and migrates instead. Returns True when
    the module has pending revisions.
    """
    record = hub.registry.get(branch.name)
    assert record is not None
    record.migration = {"current": current[0] if current else None, "head": branch.head}
    ahead = branch.ahead_error(current)
    if ahead is not None:
        record.fail(Stage.MIGRATE, ahead)
        return False
    pending = branch.pending(current)
    if not pending or failures is None:
        return bool(pending)
    persisted = failures.get(branch.name)
    if persisted is not None:
        record.fail(Stage.MIGRATE, ModuleMigrationError(persisted.error), log_it=False)
    elif behind_fails:
        record.fail(
            Stage.MIGRATE,
            ModuleMigrationError(
                f"its schema is {len(pending)} revision(s) behind and BMC_HUB_AUTO_MIGRATE is "
                "off; run `bmc-hub db upgrade`"
            ),
        )
    else:
        record.warnings.append(
            f"{len(pending)} pending migration(s); run `bmc-hub db upgrade` to apply them"
        )
    return True


def observe_migrations(
    hub: Hub, *, behind_fails: bool = False
) -> tuple[dict[str, Branch | None], dict[str, tuple[str, ...]]]:
    """Read-only: fill every loaded module's ``migration`` and apply persisted failures.

    Never writes. Used by ``bmc-hub modules ...``, ``db status`` and by startup with
    auto-migrate off. Returns the branches and the revisions read from the database.
    """
    branches = collect(hub)
    try:
        _, currents = read_versions(hub, branches)
    except SQLAlchemyError as exc:
        log.warning("module revisions not read: %s", str(exc).splitlines()[0])
        return branches, {}
    failures = read_failures(hub.engine)
    for name, branch in branches.items():
        if branch is not None:
            _judge(hub, branch, currents[name], failures, behind_fails=behind_fails)
    return branches, currents


def _failed_before(
    hub: Hub, branch: Branch, failures: dict[str, PersistedFailure], retry: Collection[str]
) -> str | None:
    """The persisted error when this same code already failed to migrate (not retried)."""
    persisted = failures.get(branch.name)
    record = hub.registry.get(branch.name)
    if persisted is None or persisted.code is None or record is None or branch.name in retry:
        return None
    if persisted.code != code_of(record.version, branch.versions):
        return None  # a new version or edited revision files: try again
    return (
        f"{persisted.error} — not tried again: this code ({persisted.code}) failed before; "
        f"fix the cause, then run `bmc-hub db upgrade --retry {branch.name}` (or install a "
        "new module version)"
    )


def _migrate_one(hub: Hub, branch: Branch, report: MigrationReport) -> None:
    record = hub.registry.get(branch.name)
    assert record is not None
    if fail_if_dependency_failed(hub, record):
        report.failed[branch.name] = record.error.message if record.error else "dependency"
        return
    try:
        now, ran = move(
            hub.engine,
            branch,
            "heads",
            drop_version_table=False,
            busy_seconds=hub.settings.migration_busy_seconds,
        )
    except (DatabaseAheadError, MigrationBusy) as exc:
        # Not this code's fault: nothing is recorded, the next start tries again.
        record.fail(Stage.MIGRATE, exc)
        report.failed[branch.name] = record.error.message if record.error else str(exc)
        return
    except ModuleMigrationError as exc:
        record.fail(Stage.MIGRATE, exc)
        message = record.error.message if record.error else str(exc)  # masked
        code = code_of(record.version, branch.versions)
        record_failure(hub.engine, branch.name, message, branch.head, code)
        report.failed[branch.name] = message
        return
    record.migration = {"current": now or None, "head": branch.head}
    clear_failure(hub.engine, branch.name)
    if ran:
        report.upgraded.append(branch.name)
        log.info("module '%s': applied %s", branch.name, ", ".join(ran))


def run_migrations(
    hub: Hub,
    modules: list[str] | None = None,
    check_only: bool = False,
    retry: Collection[str] = (),
) -> MigrationReport:
    """Bring the core and the loaded modules (or only ``modules``) to head.

    ``check_only`` never writes: a core behind its head raises, a module behind fails.
    A core failure raises :class:`CoreMigrationError`; module failures are recorded on
    the module (and in ``hub_module_state``) and never raise. A module whose migration
    already failed with the same code is not tried again unless it is in ``retry``.
    """
    engine = hub.engine
    report = MigrationReport()
    if check_only:
        if not core_is_current(engine):
            raise CoreMigrationError(
                "the database schema is behind this core and BMC_HUB_AUTO_MIGRATE is off; "
                "run `bmc-hub db upgrade` first"
            )
        observe_migrations(hub, behind_fails=True)
        return report
    loaded = [r for r in hub.registry.loaded() if modules is None or r.name in modules]
    branches = collect(hub, modules)
    core_revisions, currents = read_versions(hub, branches)
    core_current = core_revisions == core_heads()
    todo = [
        branch
        for name, branch in branches.items()
        if branch is not None
        and (not core_current or _judge(hub, branch, currents.get(name, ()), None))
    ]
    if todo or not core_current:
        with migration_lock(engine, hub.settings.migration_lock_timeout):
            if not core_is_current(engine):
                upgrade_core(engine)
                report.core_upgraded = True
            failures = read_failures(engine) if todo else {}
            for branch in todo:
                before = _failed_before(hub, branch, failures, retry)
                if before is not None:
                    record = hub.registry.get(branch.name)
                    assert record is not None
                    record.fail(Stage.MIGRATE, ModuleMigrationError(before), log_it=False)
                    log.error("module '%s': %s", branch.name, before)
                    report.failed[branch.name] = before
                    continue
                _migrate_one(hub, branch, report)
    _clear_stale_failures(hub, branches)
    # Failures before any SQL ran count too: the hook, revision files, a database ahead,
    # and allowed modules that never loaded (import, settings, incompatible).
    for record in hub.registry:
        if record.loaded or record.name in report.failed:
            continue
        if modules is not None and record.name not in modules:
            continue
        if record.state is ModuleState.MISSING:
            report.missing.append(record.name)
        elif record.error is not None and (record in loaded or hub.is_allowed(record.name)):
            report.failed[record.name] = f"{record.error.stage}: {record.error.message}"
    return report


def _clear_stale_failures(hub: Hub, branches: dict[str, Branch | None]) -> None:
    """A module at head whose failure is still persisted (fixed by hand or elsewhere)."""
    stale = [
        name
        for name in read_failures(hub.engine)
        if branches.get(name) is not None
        and (record := hub.registry.get(name)) is not None
        and record.loaded
    ]
    for name in stale:
        clear_failure(hub.engine, name)


__all__ = ["MigrationReport", "observe_migrations", "run_migrations"]
