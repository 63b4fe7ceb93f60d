"""The module record as JSON (DESIGN §7): one shape for the admin API and the CLI."""

from __future__ import annotations

from typing import Any

from .module_settings import redacted
from .registry import ModuleRecord, Registry
from .types import ModuleState, Stage


def shown_state(record: ModuleRecord, registry: Registry) -> tuple[str, dict[str, str] | None]:
    """State and error as users see them: an enabled module whose dependency is not
    enabled (disabled by an admin at runtime) is ``failed`` at stage ``dependency``, as
    the gate answers 503 for it. It comes back by itself when the dependency does."""
    blocked = registry.blocking_dependency(record) if record.state is ModuleState.ENABLED else None
    if blocked is not None:
        message = f"{registry.dependency_message(blocked)}; enable '{blocked}' again"
        return ModuleState.FAILED.value, {
            "stage": Stage.DEPENDENCY.value,
            "type": "DependencyUnavailable",
            "message": message,
        }
    return record.state.value, record.error.as_dict() if record.error else None


def module_record(
    record: ModuleRecord,
    registry: Registry,
    *,
    health: dict[str, Any] | None = None,
    detail: bool = False,
    current: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """``name, distribution, version, state, error, table_prefix, read_only, dry_run,
    migration {current, head}, routes, health`` (+ ``views, dependencies, warnings,
    admin, settings`` with ``detail``). Secrets in settings are redacted.

    ``current`` is the module's revisions read from the database just now (the admin
    API passes it): a revision the code does not know (a rolling deploy upgraded the
    database) shows as ``migration.ahead`` and a warning, while this process serves on.
    """
    settings = record.context.settings if record.context is not None else None
    state, error = shown_state(record, registry)
    data: dict[str, Any] = {
        "name": record.name,
        "distribution": record.distribution,
        "version": record.version,
        "state": state,
        "error": error,
        "table_prefix": record.table_prefix,
        "read_only": settings.read_only if settings else None,
        "dry_run": settings.dry_run if settings else None,
        "migration": _migration(record, current),
        "routes": list(record.routes),
        "health": health,
    }
    warnings = list(record.warnings)
    if data["migration"].get("ahead"):
        warnings.append(
            f"the database is newer than this code: {record.name}_alembic_version holds "
            f"{', '.join(data['migration']['ahead'])}, which version {record.version} does "
            "not have (a rolling deploy upgraded it); this process serves on with its "
            "code; replace it with the new version"
        )
    if detail:
        data.update(
            views=list(record.views),
            dependencies=list(record.dependencies),
            warnings=warnings,
            admin={
                "enabled": record.admin_enabled,
                "changed_by": record.admin_changed_by,
                "changed_at": record.admin_changed_at,
                "reason": record.admin_reason,
            },
            settings=redacted(settings) if settings else None,
        )
    return data


def _migration(record: ModuleRecord, current: tuple[str, ...] | None) -> dict[str, Any]:
    if current is None or not record.known_revisions:
        return dict(record.migration)
    ahead = [rev for rev in current if rev not in record.known_revisions]
    return {
        **record.migration,
        "current": current[0] if current else None,
        "ahead": ahead or None,
    }
