"""Ask each loaded module for its versions folder and load its branch (no database)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from ..errors import HookReturnError, ModuleMigrationError
from ..hub import Hub
from ..registry import ModuleRecord
from ..types import ModuleState, Stage
from .branch import Branch, load_branch


def module_metadata_of(record: ModuleRecord) -> sa.MetaData | None:
    """The module's ``metadata`` attribute (for autogenerate and model/DDL checks)."""
    metadata = getattr(record.plugin, "metadata", None)
    return metadata if isinstance(metadata, sa.MetaData) else None


def versions_folder(hub: Hub, record: ModuleRecord) -> Path | None:
    """What ``register_migrations`` returned; raises for a failing or bad hook."""
    assert record.context is not None
    outcome = hub.call("register_migrations", record.name)
    if outcome is None or (outcome.ok and outcome.value is None):
        return None
    if outcome.error is not None:
        raise ModuleMigrationError(
            f"register_migrations raised {type(outcome.error).__name__}: {outcome.error}"
        ) from outcome.error
    if not isinstance(outcome.value, str | Path):
        raise HookReturnError(
            f"register_migrations returned {type(outcome.value).__name__}; return the path "
            "of the versions folder (str or pathlib.Path) or None"
        )
    return Path(outcome.value).resolve()


def fail_if_dependency_failed(hub: Hub, record: ModuleRecord) -> bool:
    """Fail ``record`` (stage ``dependency``) when a module it requires has failed."""
    for dep in record.dependencies:
        other = hub.registry.get(dep)
        if other is not None and other.state is ModuleState.FAILED:
            record.fail(
                Stage.DEPENDENCY,
                f"requires module '{dep}', which failed at "
                f"{other.error.stage if other.error else 'an earlier stage'}; fix '{dep}' first",
            )
            return True
    return False


def collect(hub: Hub, names: list[str] | None = None) -> dict[str, Branch | None]:
    """name → branch (None: the module has no migrations) for loaded modules.

    A module whose hook or revision files fail is marked ``failed`` (stage ``migrate``)
    and left out. A module whose dependency failed is failed at stage ``dependency``.
    """
    branches: dict[str, Branch | None] = {}
    for record in hub.registry.loaded():
        if record.context is None or (names is not None and record.name not in names):
            continue
        if fail_if_dependency_failed(hub, record):
            continue
        try:
            folder = versions_folder(hub, record)
            branch = (
                None
                if folder is None
                else load_branch(record.name, folder, module_metadata_of(record))
            )
        except (ModuleMigrationError, HookReturnError) as exc:
            record.fail(Stage.MIGRATE, exc)
            continue
        branches[record.name] = branch
        record.migration = {"current": None, "head": branch.head if branch else None}
        record.known_revisions = frozenset(branch.order) if branch else frozenset()
    return branches
