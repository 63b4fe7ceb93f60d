"""The module record as JSON (DESIGN §7): one shape for the admin API and the CLI."""

from __future__ import annotations

from typing import Any

from .module_settings import redacted
from .registry import ModuleRecord


def module_record(
    record: ModuleRecord, *, health: dict[str, Any] | None = None, detail: bool = False
) -> dict[str, Any]:
    """``name, distribution, version, state, error, table_prefix, read_only, dry_run,
    migration {current, head}, routes, health`` (+ ``views, dependencies, warnings,
    admin, settings`` with ``detail``). Secrets in settings are redacted."""
    settings = record.context.settings if record.context is not None else None
    data: dict[str, Any] = {
        "name": record.name,
        "distribution": record.distribution,
        "version": record.version,
        "state": record.state.value,
        "error": record.error.as_dict() if record.error else None,
        "table_prefix": record.table_prefix,
        "read_only": settings.read_only if settings else None,
        "dry_run": settings.dry_run if settings else None,
        "migration": dict(record.migration),
        "routes": list(record.routes),
        "health": health,
    }
    if detail:
        data.update(
            views=list(record.views),
            dependencies=list(record.dependencies),
            warnings=list(record.warnings),
            admin={
                "enabled": record.admin_enabled,
                "changed_by": record.admin_changed_by,
                "changed_at": record.admin_changed_at,
                "reason": record.admin_reason,
            },
            settings=redacted(settings) if settings else None,
        )
    return data
