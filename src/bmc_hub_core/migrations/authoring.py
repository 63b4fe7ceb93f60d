"""Operations on one module's branch: downgrade (removing its data) and new revisions.

Autogenerate is adjusted for the hub's rules: it never writes an operation on another
module's table, and PostgreSQL enum types are handled as the sandbox and a clean
downgrade need (see :class:`_EnumTypes`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import renderers
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


class _Note(ops.MigrateOperation):
    """A comment for the author in a generated revision (rendered, never run)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines


class _CreateEnumType(ops.MigrateOperation):
    """Create a PostgreSQL enum type before ``add_column`` uses it (Alembic does not)."""

    def __init__(self, name: str, values: list[str]) -> None:
        self.name = name
        self.values = values


class _DropEnumTypes(ops.MigrateOperation):
    """Drop the enum types a revision's upgrade created (PostgreSQL keeps a type after
    the table using it is dropped)."""

    def __init__(self, names: list[str]) -> None:
        self.names = names


# Alembic renders operations through a process-wide registry; these entries are for the
# three classes above only, which nothing but ``new_revision`` creates.
@renderers.dispatch_for(_Note, replace=True)
def _render_note(_autogen_context: Any, op: _Note) -> list[str]:
    return [f"# {line}" for text in op.lines for line in textwrap.wrap(text, 86)]


@renderers.dispatch_for(_CreateEnumType, replace=True)
def _render_create_enum(_autogen_context: Any, op: _CreateEnumType) -> str:
    values = ", ".join(repr(value) for value in op.values)
    return f"sa.Enum({values}, name={op.name!r}).create(op.get_bind(), checkfirst=True)"


@renderers.dispatch_for(_DropEnumTypes, replace=True)
def _render_drop_enums(_autogen_context: Any, op: _DropEnumTypes) -> list[str]:
    return [
        "# bmc-hub: drop the enum types upgrade() created (PostgreSQL keeps a type after its",
        "# table; on other databases this does nothing).",
        *(f"sa.Enum(name={name!r}).drop(op.get_bind(), checkfirst=True)" for name in op.names),
    ]


def _enum_columns(items: Any) -> Iterator[tuple[sa.Column[Any], sa.Enum]]:
    """The columns among ``items`` whose type is an enum the database creates as a type
    of its own (PostgreSQL): native, and not declared as an existing type
    (``postgresql.ENUM(..., create_type=False)``)."""
    for item in items:
        if not isinstance(item, sa.Column):
            continue
        kind = item.type
        if isinstance(kind, sa.Enum) and kind.native_enum and getattr(kind, "create_type", True):
            yield item, kind


_PG_ENUM_TYPES = sa.text(
    "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
    "WHERE t.typtype = 'e' AND n.nspname = current_schema()"
)


def _type_name(prefix: str, table: str, column: str, kind: sa.Enum) -> str:
    """The name an enum type gets in a module revision: its own, prefixed if need be
    (``TABLE_COLUMN`` for an unnamed one, which PostgreSQL cannot create)."""
    name = kind.name if kind.name is not None else f"{table}_{column}"
    return name if name.startswith(prefix) else f"{prefix}{name}"


class _EnumTypes:
    """``process_revision_directives`` for enum types (``sa.Enum``) in a module revision.

    - Every type ``upgrade()`` creates carries the module's prefix: the sandbox refuses
      any other. ``sa.Enum(..., name="priority")`` is written as ``name="NAME_priority"``;
      a comment in the file and a warning on the module's logger tell the author to
      name it so in the model. Autogenerate then sees a different name in the model and
      in the database on every later run: that "type change" is left out.
    - A type is created once: by the first table of the revision using it, or before a
      column added to an existing table (Alembic's ``add_column`` does not create it on
      PostgreSQL). Later tables, and tables using a type that exists already (in the
      database, or for a model column this revision does not add), declare it with
      ``postgresql.ENUM(..., create_type=False)`` (else ``DuplicateObject``).
    - ``downgrade()`` drops the types ``upgrade()`` created: PostgreSQL keeps a type
      after its table is dropped, and the next upgrade would fail with
      ``DuplicateObject``.

    Autogenerate hands over the model's own columns and types, so they are changed while
    Alembic renders the file; :meth:`restore` puts them back.
    """

    def __init__(self, record: ModuleRecord, metadata: sa.MetaData | None) -> None:
        self.record = record
        self.prefix = f"{record.name}_"
        self.metadata = metadata
        self.notes: list[str] = []
        self._renamed: list[tuple[sa.Enum, str | None]] = []
        self._retyped: list[tuple[sa.Column[Any], Any]] = []

    def restore(self) -> None:
        for column, kind in reversed(self._retyped):
            column.type = kind
        for enum, name in reversed(self._renamed):
            enum.name = name
        self._retyped.clear()
        self._renamed.clear()

    def _rename(self, table: str, column: sa.Column[Any], kind: sa.Enum) -> str:
        name = _type_name(self.prefix, table, column.name, kind)
        if name != kind.name:
            declared = f"as '{kind.name}'" if kind.name is not None else "without a name"
            self.notes.append(
                f"the enum type of {table}.{column.name} is declared {declared}; it is "
                f"created as '{name}', since every type of module '{self.record.name}' "
                f"must start with '{self.prefix}'. Name it so in the model: "
                f"sa.Enum(..., name='{name}')"
            )
            self._renamed.append((kind, kind.name))
            kind.name = name
        return name

    def _reuse(self, column: sa.Column[Any], kind: sa.Enum) -> None:
        """Declare ``column``'s type as one that exists: created elsewhere, not here."""
        from sqlalchemy.dialects import postgresql

        self._retyped.append((column, column.type))
        column.type = postgresql.ENUM(*kind.enums, name=kind.name, create_type=False)

    def _existing(self, connection: Any, revised: set[int]) -> set[str]:
        """Types there already: in the database (PostgreSQL), or for model columns this
        revision does not create or add (``revised``: their ids)."""
        found: set[str] = set()
        if isinstance(connection, sa.Connection) and connection.dialect.name == "postgresql":
            found |= set(connection.execute(_PG_ENUM_TYPES).scalars())
        for table in self.metadata.tables.values() if self.metadata is not None else ():
            for column, kind in _enum_columns(table.columns):
                if id(column) not in revised:
                    found.add(_type_name(self.prefix, table.name, column.name, kind))
        return found

    def _prefix_only(self, op: Any) -> bool:
        """An ``alter_column`` whose only change is the enum type's prefix."""
        old, new = getattr(op, "existing_type", None), getattr(op, "modify_type", None)
        if not (isinstance(op, ops.AlterColumnOp) and isinstance(old, sa.Enum)):
            return False
        if not isinstance(new, sa.Enum) or list(old.enums) != list(new.enums):
            return False
        same = _type_name(self.prefix, op.table_name, op.column_name, old) == _type_name(
            self.prefix, op.table_name, op.column_name, new
        )
        untouched = op.modify_nullable is None and op.modify_name is None
        return same and untouched and op.modify_server_default is False and not op.modify_comment

    def _leave_out_prefix_changes(self, container: Any) -> None:
        if container is None:
            return
        kept = []
        for op in container.ops:
            if isinstance(op, ops.ModifyTableOps):
                op.ops[:] = [inner for inner in op.ops if not self._prefix_only(inner)]
                if op.is_empty():
                    continue
            kept.append(op)
        container.ops[:] = kept

    def __call__(self, context: Any, _revision: Any, directives: list[Any]) -> None:
        script = directives[0]
        if script.upgrade_ops is None:
            return
        self._leave_out_prefix_changes(script.upgrade_ops)
        self._leave_out_prefix_changes(script.downgrade_ops)
        # (top-level op, table, column, type) for every enum column upgrade() adds.
        found: list[tuple[Any, str, sa.Column[Any], sa.Enum]] = []
        for op in script.upgrade_ops.ops:
            if isinstance(op, ops.CreateTableOp):
                found += [(op, op.table_name, c, k) for c, k in _enum_columns(op.columns)]
            elif isinstance(op, ops.ModifyTableOps):
                for add in (o for o in op.ops if isinstance(o, ops.AddColumnOp)):
                    found += [(op, add.table_name, c, k) for c, k in _enum_columns([add.column])]
        existing = self._existing(
            getattr(context, "connection", None), {id(column) for _, _, column, _ in found}
        )
        made: dict[str, None] = {}  # an ordered set
        before: dict[int, list[Any]] = {}  # id(op) → the types to create before it
        for op, table, column, kind in found:
            name = self._rename(table, column, kind)
            if name in existing or name in made:
                if isinstance(op, ops.CreateTableOp):
                    self._reuse(column, kind)  # rendered with its import by Alembic
                continue
            made[name] = None
            if not isinstance(op, ops.CreateTableOp):
                before.setdefault(id(op), []).append(_CreateEnumType(name, list(kind.enums)))
        upgrade: list[Any] = [_Note([f"bmc-hub: {n}" for n in self.notes])] if self.notes else []
        for op in script.upgrade_ops.ops:
            upgrade += [*before.get(id(op), []), op]
        script.upgrade_ops.ops[:] = upgrade
        if made and script.downgrade_ops is not None:
            script.downgrade_ops.ops.append(_DropEnumTypes(list(made)))
        if self.record.context is not None:
            for note in self.notes:
                self.record.context.logger.warning(note)


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
        refuse, enums = _refuse_foreign_ops(f"{name}_"), _EnumTypes(record, metadata)

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
