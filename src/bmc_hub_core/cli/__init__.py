"""The ``bmc-hub`` command line (Typer + Rich).

:func:`main` is the process entry point. The commands live in :mod:`.main`, imported on
first use so that importing this package stays cheap.
"""

from __future__ import annotations

import gc
from typing import Any


def main(argv: list[str] | None = None) -> int:
    """Run ``bmc-hub`` as a process: import the commands, then run one.

    The imports create a few hundred thousand objects (SQLAlchemy, Alembic, pydantic,
    Typer) that all live until the process ends. The cyclic garbage collector is kept
    off while they are created and then told to leave them alone (``gc.freeze``), so
    neither later collections nor interpreter shutdown walk them again. That is about a
    third of a short command's run time (``docs/performance.md``); collection of
    everything created afterwards is unchanged.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        from .main import main as run
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
    return run(argv)


def __getattr__(name: str) -> Any:
    if name == "app":
        from .main import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["app", "main"]
