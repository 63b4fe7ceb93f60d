"""One module's Alembic branch: its versions folder, revision map and single head.

Loading a branch runs the module's revision files (module code), so every problem is
turned into a :class:`~bmc_hub_core.errors.ModuleMigrationError` naming the module.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import Script, ScriptDirectory

from ..errors import DatabaseAheadError, ModuleMigrationError
from .engine import ENV_DIR, make_config, module_version_table

#: Alembic's version column is VARCHAR(32); PostgreSQL refuses longer ids, SQLite does not.
MAX_REVISION_LENGTH = 32
_ILLEGAL = re.compile(r"[@\-+:]")


@dataclass(frozen=True)
class Branch:
    """A module's loaded revision map (one head, ids checked)."""

    name: str
    versions: Path
    script: ScriptDirectory
    head: str
    #: Revision ids from base to head (upgrade order).
    order: tuple[str, ...]
    metadata: sa.MetaData | None = None

    @property
    def version_table(self) -> str:
        return module_version_table(self.name)

    @property
    def prefix(self) -> str:
        return f"{self.name}_"

    def knows(self, revision: str) -> bool:
        return revision in self.order

    def ahead_error(self, current: tuple[str, ...]) -> DatabaseAheadError | None:
        """The error to fail with when the database holds revisions this code lacks."""
        unknown = [rev for rev in current if not self.knows(rev)]
        if not unknown:
            return None
        return DatabaseAheadError(
            f"the database is newer than the code: {self.version_table} holds revision "
            f"{', '.join(unknown)}, which the installed version does not have (rolling deploy "
            "or a downgraded package); this process does not serve it and writes nothing. "
            "Install the newer module version"
        )

    def applied(self, current: tuple[str, ...]) -> set[str]:
        """Every revision at or below ``current`` (what the database already has)."""
        done: set[str] = set()
        for rev in current:
            done.update(r.revision for r in self.script.walk_revisions("base", rev))
        return done

    def pending(self, current: tuple[str, ...]) -> list[str]:
        """Revisions ``upgrade heads`` would apply, in order."""
        done = self.applied(current)
        return [rev for rev in self.order if rev not in done]

    def config(self, connection: sa.Connection | None) -> Config:
        return make_config(
            connection,
            versions=self.versions,
            version_table=self.version_table,
            prefix=self.prefix,
            metadata=self.metadata,
        )


def _problems(revisions: list[Script]) -> list[str]:
    problems = []
    for script in revisions:
        rev = script.revision
        if len(rev) > MAX_REVISION_LENGTH:
            problems.append(
                f"revision id {rev!r} is {len(rev)} characters; the limit is "
                f"{MAX_REVISION_LENGTH} (PostgreSQL's version column)"
            )
        if _ILLEGAL.search(rev):
            problems.append(f"revision id {rev!r} contains one of @ - + :")
    return problems


CORE_REVISION_PREFIX = "core_"


class ModuleScripts(ScriptDirectory):
    """One module's revision files, where ``depends_on`` may name a core revision.

    A module's first revision depends on the core's (its tables refer to ``customers``),
    but the core's revisions are not in the module's branch or version table: the core
    always migrates first, so such a dependency is checked here (the installed core must
    have that revision) and then left out of the module's revision map.
    """

    def __init__(self, *args: Any, core_revisions: frozenset[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.core_revisions = core_revisions
        self.core_dependencies: set[str] = set()

    def _load_revisions(self) -> Iterator[Script]:
        for script in super()._load_revisions():
            depends = _as_tuple(script.dependencies)
            core = {d for d in depends if d.startswith(CORE_REVISION_PREFIX)}
            unknown = core - self.core_revisions
            if unknown:
                raise ModuleMigrationError(
                    f"revision {script.revision} depends on core revision "
                    f"{', '.join(sorted(unknown))}, which this bmc-hub-core does not have; "
                    "install a newer bmc-hub-core"
                )
            if core:
                self.core_dependencies |= core
                rest = tuple(d for d in depends if d not in core)
                script.dependencies = rest[0] if len(rest) == 1 else (rest or None)
            yield script


def _as_tuple(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def module_scripts(versions: Path) -> ModuleScripts:
    from .core import core_revisions  # the core's own revision files

    return ModuleScripts(ENV_DIR, version_locations=[versions], core_revisions=core_revisions())


@contextmanager
def alembic_uses_module_scripts(versions: Path) -> Iterator[None]:
    """Alembic's commands build their own ``ScriptDirectory`` from the config; have them
    build the module's (core dependencies resolved, see :class:`ModuleScripts`).

    Alembic is process-global and the hub only runs it under ``ALEMBIC_THREAD_LOCK``, so
    swapping its factory for one command is safe.
    """
    original = ScriptDirectory.__dict__["from_config"]

    def from_config(_cls: type[ScriptDirectory], _config: Config) -> ScriptDirectory:
        return module_scripts(versions)

    ScriptDirectory.from_config = classmethod(from_config)  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        ScriptDirectory.from_config = original  # type: ignore[method-assign]


def load_branch(name: str, versions: Path, metadata: sa.MetaData | None = None) -> Branch:
    """Load and check the revision files in ``versions``; raise on any problem."""
    if not versions.is_dir():
        raise ModuleMigrationError(
            f"its versions folder {versions} does not exist; ship it as package data "
            "(hatch/setuptools include it only when it is inside the package)"
        )
    try:
        with warnings.catch_warnings():
            # Alembic warns (duplicate ids, dangling down_revision) before it fails.
            warnings.simplefilter("error")
            # What ``ScriptDirectory.from_config`` builds from the shared env, minus the
            # ``Config`` (an INI parser per module, a quarter of a no-op run's branch cost).
            script = module_scripts(versions)
            heads = script.get_heads()
            revisions = list(script.walk_revisions())
    except ModuleMigrationError:
        raise
    # Revision files are module code: whatever loading them raises belongs to the module.
    except Exception as exc:
        raise ModuleMigrationError(
            f"its revision files in {versions} cannot be loaded: {type(exc).__name__}: {exc}"
        ) from exc
    if not revisions:
        raise ModuleMigrationError(
            f"its versions folder {versions} holds no revision; return None from "
            "register_migrations if the module has no tables"
        )
    if len(heads) != 1:
        raise ModuleMigrationError(
            f"it has {len(heads)} heads ({', '.join(sorted(heads))}); merge them "
            f"(`alembic merge`) so the branch has exactly one head"
        )
    problems = _problems(revisions)
    if problems:
        raise ModuleMigrationError("; ".join(problems))
    order = tuple(reversed([r.revision for r in revisions]))
    return Branch(name, versions, script, heads[0], order, metadata)
