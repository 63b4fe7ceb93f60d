"""Operations on one module's branch: downgrade (removing its data) and new revisions.

Autogenerate is adjusted for the hub's rules: it never writes an operation on another
module's table, and PostgreSQL enum types are handled as the sandbox and a clean
downgrade need (see :mod:`.enum_types`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.operations import ops
from alembic.util import CommandError

from ..errors import (
    BmcHubError,
    CoreMigrationError,
    ModuleMigrationError,
    UnknownModuleError,
    UsageError,
)
from ..hub import Hub
from ..registry import ModuleRecord
from ..types import ModuleState
from .apply import move
from .branch import Branch, alembic_uses_module_scripts, load_branch
from .catalog import snapshot
from .collect import module_metadata_of, versions_folder
from .core import core_is_current
from .engine import ALEMBIC_THREAD_LOCK, make_config, module_version_table
from .enum_types import EnumTypes
from .lock import migration_lock
from .outcome import clear_failure
from .sandbox import owns


def loaded_record(hub: Hub, name: str) -> ModuleRecord:
    """The module's record, loaded (imported and configured), or a clear error."""
    record = hub.registry.get(name)
    if record is None or record.state is ModuleState.MISSING:
        known = ", ".join(r.name for r in hub.registry if r.candidate is not None) or "none"
        raise UnknownModuleError(f"no module named '{name}' is installed (installed: {known})")
    if not record.loaded or record.context is None:
        why = f"{record.error.stage}: {record.error.message}" if record.error else ""
        raise ModuleMigrationError(
            f"module '{name}' could not be loaded ({record.state.value}{', ' if why else ''}"
            f"{why}); fix it first"
        )
    return record


def module_branch(hub: Hub, name: str) -> Branch:
    record = loaded_record(hub, name)
    folder = versions_folder(hub, record)
    if folder is None:
        raise ModuleMigrationError(
            f"module '{name}' has no migrations (its register_migrations returns None)"
        )
    return load_branch(name, folder, module_metadata_of(record))


def check_target(branch: Branch, target: str) -> None:
    """Refuse a downgrade target that is not ``base``, ``-N`` (N ≥ 1) or a known revision."""
    if target.startswith("-") and not (target[1:].isdigit() and int(target[1:]) > 0):
        raise UsageError(
            f"--to {target!r}: use a revision id, 'base', or -N with N a whole number above 0"
        )
    if target != "base" and not target.startswith("-") and not branch.knows(target):
        raise UsageError(
            f"module '{branch.name}' has no revision {target!r} (known: {', '.join(branch.order)})"
        )


def downgrade(hub: Hub, name: str, target: str) -> tuple[str, list[str]]:
    """Downgrade module ``name`` to ``target`` (a revision, ``-N`` or ``base``) atomically.

    ``base`` also drops ``NAME_alembic_version``. Returns the revision now current
    (``''`` at base) and, at base, the module's objects its downgrades left behind
    (none when they are complete).
    """
    branch = module_branch(hub, name)
    check_target(branch, target)
    with migration_lock(hub.engine, hub.settings.migration_lock_timeout):
        if not core_is_current(hub.engine):
            raise CoreMigrationError("the core schema is not at head; run `bmc-hub db upgrade`")
        now, _ran = move(hub.engine, branch, target, drop_version_table=target == "base")
        clear_failure(hub.engine, name)
    if target != "base":
        return now, []
    with hub.engine.connect() as conn:
        left = [obj.label for obj in snapshot(conn).values() if owns(branch.prefix, obj)]
    return now, sorted(left)


def _refuse_foreign_ops(prefix: str) -> Any:
    """``process_revision_directives``: never write an operation on another's table."""

    def check(_context: Any, _revision: Any, directives: list[Any]) -> None:
        script = directives[0]
        for container in (script.upgrade_ops, script.downgrade_ops):
            for op in container.ops if container is not None else []:
                table = getattr(op, "table_name", None)
                if isinstance(op, ops.ModifyTableOps | ops.CreateTableOp | ops.DropTableOp) and (
                    table is not None and not table.startswith(prefix)
                ):
                    raise ModuleMigrationError(
                        f"autogenerate proposed a change to table {table!r}, which is outside "
                        f"the prefix {prefix!r}; module migrations may only touch their own tables"
                    )

    return check


def new_revision(hub: Hub, name: str, message: str, *, autogenerate: bool) -> Path:
    """Write a revision file into the module's versions folder; return its path."""
    record = loaded_record(hub, name)
    folder = versions_folder(hub, record)
    if folder is None:
        raise ModuleMigrationError(
            f"module '{name}' has no versions folder: make register_migrations return "
            "the path of a 'migrations/versions' folder inside its package"
        )
    folder.mkdir(parents=True, exist_ok=True)
    metadata = module_metadata_of(record)
    if autogenerate and metadata is None:
        raise BmcHubError(
            f"module '{name}' exposes no `metadata`; set `metadata = module_metadata("
            f"'{name}')` in its entry module (holding its tables) to use --autogenerate"
        )
    first = not any(folder.glob("*.py"))
    head = "base" if first else f"{load_branch(name, folder).head}"
    with ALEMBIC_THREAD_LOCK, hub.engine.connect() as conn:
        config = make_config(
            conn,
            versions=folder,
            version_table=module_version_table(name),
            prefix=f"{name}_",
            metadata=metadata,
        )
        refuse, enums = _refuse_foreign_ops(f"{name}_"), EnumTypes(record, metadata)

        def adjust(context: Any, revision: Any, directives: list[Any]) -> None:
            refuse(context, revision, directives)
            enums(context, revision, directives)

        config.attributes["process_revision_directives"] = adjust
        try:
            with alembic_uses_module_scripts(folder):
                script = command.revision(
                    config,
                    message=message,
                    autogenerate=autogenerate,
                    head=head,
                    branch_label=name if first else None,
                    version_path=str(folder),
                )
        except CommandError as exc:
            raise BmcHubError(
                f"module '{name}': {exc} (run `bmc-hub db upgrade --module {name}` first)"
            ) from None
        finally:
            enums.restore()
    if script is None or isinstance(script, list):
        raise BmcHubError(f"Alembic wrote no single revision for module '{name}'")
    return Path(script.path)
