"""Checks module authors run on their migrations, in their own test suite.

``assert_migrations_conform("NAME", database_url)`` loads the installed module exactly
as the hub does and asserts, on a fresh database:

- the branch loads, has exactly one head, revision ids of at most 32 characters, and
  its first revision carries ``branch_labels=("NAME",)``;
- the hub's runner upgrades it (sandbox included) and serves it;
- every object it created starts with ``NAME_`` (indexes and triggers: their table);
- when the module exposes ``metadata``, the models match the migrated schema;
- stairway: each revision upgrades, downgrades and upgrades again;
- ``downgrade base`` leaves no ``NAME_`` object, version table included.

:func:`module_alembic_config` gives pytest-alembic the same environment the hub uses
(return it from an ``alembic_config`` fixture), and :func:`core_tables_engine` its
engine, on a database that already has the core's tables (yield it from an
``alembic_engine`` fixture).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from ..errors import BmcHubError
from ..hub import Hub
from ..migrations.apply import move
from ..migrations.authoring import module_branch
from ..migrations.branch import Branch
from ..migrations.catalog import snapshot
from ..migrations.core import upgrade_core
from ..migrations.engine import make_config, module_version_table
from ..migrations.runner import run_migrations
from ..migrations.sandbox import owns, violations
from ..settings import Settings
from ..types import ModuleState


def build_module_hub(name: str, database_url: str, plugin: object | None = None) -> Hub:
    """A hub with only module ``name``: installed, or the in-process ``plugin`` object."""
    settings = Settings(_env_file=None, database_url=database_url, modules=name)  # type: ignore[call-arg]
    if plugin is None:
        return Hub.build(settings)
    return Hub.build(settings, candidates={}, extra_plugins={name: plugin})


@contextmanager
def core_tables_engine(database_url: str) -> Iterator[sa.Engine]:
    """An engine on ``database_url`` with the core's tables migrated first, as the hub
    does before any module: a module's tables may reference them (``customers``)."""
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        upgrade_core(engine)
        yield engine
    finally:
        engine.dispose()


def module_alembic_config(
    name: str, versions: str | Path, metadata: sa.MetaData | None = None
) -> Config:
    """An Alembic ``Config`` for module ``name`` on the hub's shared env.py.

    pytest-alembic sets the connection (an Engine) itself; the metadata travels as
    ``module_metadata`` because pytest-alembic overwrites ``target_metadata``.
    """
    return make_config(
        None,
        versions=Path(versions).resolve(),
        version_table=module_version_table(name),
        prefix=f"{name}_",
        metadata=metadata,
    )


def _owned_leftovers(engine: sa.Engine, prefix: str) -> list[str]:
    with engine.connect() as conn:
        return sorted(obj.label for obj in snapshot(conn).values() if owns(prefix, obj))


def _model_diffs(engine: sa.Engine, branch: Branch) -> list[object]:
    prefix = branch.prefix

    def include_name(name: str | None, type_: str, _parents: object) -> bool:
        return type_ != "table" or (
            name is not None and name.startswith(prefix) and name != branch.version_table
        )

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"include_name": include_name, "compare_type": True, "target_metadata": None},
        )
        assert branch.metadata is not None
        return list(compare_metadata(context, branch.metadata))


def _check_branch(branch: Branch) -> None:
    base = branch.script.get_revision(branch.order[0])
    assert base is not None
    labels = set(base.branch_labels or ())
    assert branch.name in labels, (
        f"the first revision {base.revision} of module '{branch.name}' must carry "
        f"branch_labels=({branch.name!r},), it has {sorted(labels) or 'none'}"
    )


def _stairway(engine: sa.Engine, branch: Branch) -> None:
    previous = "base"
    for revision in branch.order:
        move(engine, branch, revision, upgrade=True)
        move(engine, branch, previous, upgrade=False)
        move(engine, branch, revision, upgrade=True)
        previous = revision


def assert_migrations_conform(
    name: str, database_url: str, *, plugin: object | None = None
) -> None:
    """Assert module ``name``'s migrations follow the hub's rules (see module docstring).

    ``database_url`` must point at an empty database. Raises ``AssertionError`` naming
    the broken rule.
    """
    hub = build_module_hub(name, database_url, plugin)
    try:
        _conform(hub, name)
    except BmcHubError as exc:
        raise AssertionError(f"module '{name}': {exc}") from exc
    finally:
        hub.engine.dispose()


def _conform(hub: Hub, name: str) -> None:
    record = hub.registry.get(name)
    assert record is not None and record.loaded, (
        f"module '{name}' did not load: {record.error if record else 'not installed'}"
    )
    branch = module_branch(hub, name)
    _check_branch(branch)
    upgrade_core(hub.engine)
    with hub.engine.connect() as conn:
        before = snapshot(conn)
    run_migrations(hub, [name])
    assert record.state is ModuleState.ENABLED, f"module '{name}' failed: {record.error}"
    with hub.engine.connect() as conn:
        found = violations(branch.prefix, before, snapshot(conn))
    assert not found, f"module '{name}' created objects outside its prefix: {found}"
    if branch.metadata is not None:
        diffs = _model_diffs(hub.engine, branch)
        assert not diffs, f"module '{name}': models and migrations differ: {diffs}"
    move(hub.engine, branch, "base", drop_version_table=True)
    _stairway(hub.engine, branch)
    move(hub.engine, branch, "base", drop_version_table=True)
    leftovers = _owned_leftovers(hub.engine, branch.prefix)
    assert not leftovers, f"downgrade to base left objects of module '{name}': {leftovers}"
