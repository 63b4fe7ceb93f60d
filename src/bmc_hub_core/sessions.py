"""Module sessions: real commits, or DRY_RUN sessions whose commits keep nothing.

Kept apart from :mod:`.db` so that only code that opens a session imports the ORM. The
guarantee itself lives in the module's engine (:mod:`.dryrun`): every connection a
DRY_RUN module gets is rolled back when it goes back to the pool, whatever opened it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


class DryRunSession(Session):
    """A session that keeps one connection for its whole life.

    Its connection is in DRY_RUN, so ``commit()`` keeps nothing but leaves the
    transaction open: the session still reads what it wrote until it is closed, as it
    would after a real commit. ``close()`` hands the connection back and the pool rolls
    everything back.
    """

    def __init__(self, bind: Engine, **kwargs: Any) -> None:
        self._dry_connection = bind.connect()
        super().__init__(bind=self._dry_connection, **kwargs)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._dry_connection.close()


def session_factory(engine: Engine, *, dry_run: bool, **options: Any) -> sessionmaker[Session]:
    """A module's sessions on ``engine`` (its own engine: a DRY_RUN one when the switch
    is on). Objects stay readable after commit (``expire_on_commit=False``)."""
    options.setdefault("expire_on_commit", False)
    if dry_run:
        options.setdefault("class_", DryRunSession)
    return sessionmaker(bind=engine, **options)
