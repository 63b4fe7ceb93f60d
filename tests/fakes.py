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

from bmc_hub_core import hookimpl


def fake_module(name: str = "fake", /, **hooks: Callable[..., Any]) -> types.ModuleType:
    module = types.ModuleType(f"bmc_hub_test_{name}")
    for hook_name, function in hooks.items():
        function.__name__ = hook_name
        setattr(module, hook_name, hookimpl(function))
    return module


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
