"""``ModuleContext``: the narrow view of the hub each module's hooks receive."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .db import module_metadata
from .module_settings import ModuleSettings
from .names import table_prefix

if TYPE_CHECKING:  # the ORM and the templates are imported when first used
    from sqlalchemy.orm import Session, sessionmaker
    from starlette.templating import Jinja2Templates


def module_logger(name: str) -> logging.Logger:
    return logging.getLogger(f"bmc_hub.modules.{name}")


@dataclass
class ModuleContext:
    """Everything a module may use from the core, scoped to that module.

    ``session()`` returns a SQLAlchemy ``Session`` bound to the hub's database; while
    the module's DRY_RUN switch is on, its ``commit()`` only flushes and everything is
    rolled back when the session closes.
    """

    name: str
    version: str
    distribution: str | None
    engine: Engine
    #: Returns the hub's templates (built on first use).
    template_source: Callable[[], Jinja2Templates] = field(repr=False)
    settings: ModuleSettings = field(default_factory=ModuleSettings)
    logger: logging.Logger = field(init=False)
    _sessions: sessionmaker[Session] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.logger = module_logger(self.name)

    @property
    def templates(self) -> Jinja2Templates:
        """The hub's templates; this module's own are addressed as ``"NAME/file.html"``."""
        return self.template_source()

    @property
    def table_prefix(self) -> str:
        return table_prefix(self.name)

    @property
    def read_only(self) -> bool:
        return self.settings.read_only

    @property
    def dry_run(self) -> bool:
        return self.settings.dry_run

    def table(self, suffix: str) -> str:
        """``table("items")`` → ``"NAME_items"``."""
        return f"{self.table_prefix}{suffix}"

    def metadata(self) -> sa.MetaData:
        """A prefix-enforcing ``MetaData`` for this module (see ``db.module_metadata``)."""
        return module_metadata(self.name)

    def session(self) -> Session:
        """A new Session; honours DRY_RUN (commit flushes, close rolls back)."""
        if self._sessions is None:
            from .sessions import session_factory

            self._sessions = session_factory(self.engine, dry_run=self.dry_run)
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """``with module.transaction() as s:`` commits on success (unless DRY_RUN)."""
        with self.session() as session, session.begin():
            yield session
