"""Module records and their states: the one place that knows what each module is doing."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .context import ModuleContext
from .discovery import Candidate
from .module_settings import secret_values
from .names import table_prefix
from .redact import mask_values
from .types import ErrorInfo, ModuleState, Stage

log = logging.getLogger(__name__)

#: States in which a module's code is imported and its hooks may be called.
LOADED_STATES = frozenset({ModuleState.ENABLED, ModuleState.DISABLED})


@dataclass
class ModuleRecord:
    """Everything the hub knows about one module name."""

    name: str
    state: ModuleState
    candidate: Candidate | None = None
    error: ErrorInfo | None = None
    plugin: object | None = None
    context: ModuleContext | None = None
    #: Other modules this one needs (from ``Requires-Dist``), in name form.
    dependencies: tuple[str, ...] = ()
    routes: list[str] = field(default_factory=list)
    views: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    migration: dict[str, Any] = field(default_factory=lambda: {"current": None, "head": None})
    #: The module's jobs (``register_jobs``), checked.
    jobs: list[Any] = field(default_factory=list)
    #: Every revision id the installed code has (to tell a database that is newer).
    known_revisions: frozenset[str] = frozenset()
    started: bool = False
    #: Routers of the module with their own lifespan: the hub runs them (lifespans.py).
    lifespan_routers: list[Any] = field(default_factory=list)
    #: The persisted admin decision (None: none yet, the allowlist decides).
    admin_enabled: bool | None = None
    admin_changed_by: str | None = None
    admin_changed_at: str | None = None
    admin_reason: str | None = None

    @property
    def distribution(self) -> str | None:
        return self.candidate.distribution if self.candidate else None

    @property
    def version(self) -> str | None:
        return self.candidate.version if self.candidate else None

    @property
    def loaded(self) -> bool:
        return self.state in LOADED_STATES

    @property
    def table_prefix(self) -> str:
        return table_prefix(self.name)

    def mask(self, text: str) -> str:
        """``text`` without the module's secret settings or any URL password."""
        return mask_values(text, secret_values(self.context.settings if self.context else None))

    def fail(self, stage: Stage | str, exc: BaseException | str, *, log_it: bool = True) -> None:
        """Mark the module failed at ``stage`` with the error's type and (masked) message.

        Only the admin API, the admin page, the CLI and the logs show the message.
        """
        if isinstance(exc, BaseException):
            info = ErrorInfo(str(stage), type(exc).__name__, self.mask(str(exc) or repr(exc)))
            if log_it:
                log.error(
                    "module '%s' failed at %s: %s: %s\n%s",
                    self.name,
                    stage,
                    info.type,
                    info.message,
                    self.mask("".join(traceback.format_exception(exc)).rstrip()),
                )
        else:
            info = ErrorInfo(str(stage), "ModuleFailure", self.mask(exc))
            if log_it:
                log.error("module '%s' failed at %s: %s", self.name, stage, info.message)
        self.state = ModuleState.FAILED
        self.error = info

    def mark_incompatible(self, message: str) -> None:
        self.state = ModuleState.INCOMPATIBLE
        self.error = ErrorInfo(str(Stage.COMPAT), "Incompatible", message)
        log.error("module '%s' is incompatible: %s", self.name, message)


class Registry:
    """All module records of one hub, keyed by module name (sorted for display)."""

    def __init__(self) -> None:
        self._records: dict[str, ModuleRecord] = {}

    def add(self, record: ModuleRecord) -> ModuleRecord:
        self._records[record.name] = record
        return record

    def get(self, name: str) -> ModuleRecord | None:
        return self._records.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._records

    def __iter__(self) -> Iterator[ModuleRecord]:
        return iter(sorted(self._records.values(), key=lambda r: r.name))

    def __len__(self) -> int:
        return len(self._records)

    def loaded(self) -> list[ModuleRecord]:
        """Records whose code is imported, in load (dependency) order."""
        return [r for r in self._ordered() if r.loaded]

    def discovered(self) -> list[ModuleRecord]:
        """Records still to be imported, in dependency order."""
        return [r for r in self._ordered() if r.state is ModuleState.DISCOVERED]

    def _ordered(self) -> list[ModuleRecord]:
        return list(self._records.values())

    def blocking_dependency(self, record: ModuleRecord) -> str | None:
        """The first module ``record`` needs that is not enabled, or None.

        The loader, the gate and health all ask this, so a module whose dependency is
        disabled or failed is refused, answers 503 and reports ``unavailable`` alike.
        """
        for name in record.dependencies:
            other = self._records.get(name)
            if other is None or other.state is not ModuleState.ENABLED:
                return name
        return None

    def dependency_message(self, name: str) -> str:
        other = self._records.get(name)
        return (
            f"requires module '{name}', which is {other.state.value if other else 'not installed'}"
        )

    def reorder(self, names: list[str]) -> None:
        """Keep records in ``names`` order (dependency order), the rest after, by name."""
        rest = sorted(set(self._records) - set(names))
        self._records = {n: self._records[n] for n in [*names, *rest] if n in self._records}
