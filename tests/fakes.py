"""In-process fixture modules: build a module object from plain functions.

``fake_module(register_routes=fn, health=fn)`` returns a Python module object whose
attributes are those functions marked with ``@hookimpl``, exactly what an installed
module's entry point would load.
"""

from __future__ import annotations

import asyncio
import threading
import types
from collections.abc import Callable, Coroutine
from typing import Any

import sqlalchemy as sa

from bmc_hub_core import ModuleContext, hookimpl


def fake_module(name: str = "fake", /, **hooks: Callable[..., Any]) -> types.ModuleType:
    module = types.ModuleType(f"bmc_hub_test_{name}")
    for hook_name, function in hooks.items():
        function.__name__ = hook_name
        setattr(module, hook_name, hookimpl(function))
    return module


class TextTable:
    """One table ``NAME_SUFFIX (id, text)`` for a fake module, defined from the module's
    prefixed metadata and created by its ``on_startup`` on an engine of its own, as a
    migration would (``module.engine`` of a DRY_RUN module keeps nothing)."""

    def __init__(self, suffix: str) -> None:
        self.suffix = suffix
        self._table: sa.Table | None = None

    def of(self, module: ModuleContext) -> sa.Table:
        if self._table is None:
            self._table = sa.Table(
                module.table(self.suffix),
                module.metadata(),
                sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("text", sa.String(100), nullable=False),
            )
        return self._table

    def on_startup(self) -> Callable[[ModuleContext], None]:
        """An ``on_startup`` hook creating the table."""

        def create(module: ModuleContext) -> None:
            own = sa.create_engine(module.engine.url, poolclass=sa.pool.NullPool)
            self.of(module).metadata.create_all(own)
            own.dispose()

        return create


def stored_texts(url: str, table: str) -> list[str]:
    """What ``table`` holds, read from outside the hub."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(sa.text(f"SELECT text FROM {table} ORDER BY id")))
    finally:
        engine.dispose()


def ignores_cancellation(
    release: threading.Event, calls: list[int] | None = None
) -> Callable[[], Coroutine[Any, Any, bool]]:
    """An ``async def`` hook that swallows every cancellation until ``release`` is set
    (what a bare ``except:`` in a retry loop does); ``calls`` counts its starts."""

    async def stubborn() -> bool:
        if calls is not None:
            calls.append(1)
        while not release.is_set():
            try:
                await asyncio.sleep(0.05)
            except asyncio.CancelledError:
                continue
        return True

    return stubborn
