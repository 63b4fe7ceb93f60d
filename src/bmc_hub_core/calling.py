"""Call one module's hook implementation at a time: isolated, time-boxed, async-aware.

pluggy's own ``pm.hook.X()`` stops at the first raising implementation, so one broken
module would hide every other module's result. Everything here calls each module's
implementation on its own and returns an :class:`Outcome` instead of raising.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import logging
import threading
import time
from collections.abc import Callable, Coroutine, Generator
from dataclasses import dataclass
from typing import Any

import pluggy

from .errors import EventLoopBlocked, HookTimeout

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What one module's hook call produced: a value, or the exception it raised."""

    module: str
    hook: str
    value: Any = None
    error: BaseException | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def timed_out(self) -> bool:
        return isinstance(self.error, HookTimeout)


def find_impl(pm: pluggy.PluginManager, hook: str, module: str) -> pluggy.HookImpl | None:
    """The implementation of ``hook`` registered by ``module``, if it has one."""
    caller: pluggy.HookCaller = getattr(pm.hook, hook)
    for impl in caller.get_hookimpls():
        if impl.plugin_name == module:
            return impl
    return None


def _args(impl: pluggy.HookImpl, kwargs: dict[str, Any]) -> list[Any]:
    return [kwargs[name] for name in impl.argnames]


async def _await(value: Any) -> Any:
    return await value


def _run_in_daemon_thread(fn: Callable[[], Any], name: str) -> concurrent.futures.Future[Any]:
    """Run ``fn`` in a daemon thread: a hung call can be abandoned and never delays exit.

    A returned awaitable is driven to completion on a private event loop in that thread.
    """
    future: concurrent.futures.Future[Any] = concurrent.futures.Future()

    def runner() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            value = fn()
            if inspect.isawaitable(value):
                value = asyncio.run(_await(value))
            future.set_result(value)
        # Module code is isolated exactly here: whatever it raises becomes its outcome.
        except BaseException as exc:  # noqa: BLE001
            future.set_exception(exc)

    threading.Thread(target=runner, name=name, daemon=True).start()
    return future


def _trace(outcome: Outcome, trace: bool) -> Outcome:
    if trace:
        log.info(
            "hook %s module=%s %.1fms %s",
            outcome.hook,
            outcome.module,
            outcome.seconds * 1000,
            "ok" if outcome.ok else f"error={type(outcome.error).__name__}",
        )
    return outcome


def call_one_sync(
    pm: pluggy.PluginManager,
    hook: str,
    module: str,
    kwargs: dict[str, Any],
    *,
    timeout: float,
    trace: bool = False,
) -> Outcome | None:
    """Call ``module``'s ``hook`` from synchronous code, within ``timeout`` seconds.

    Returns ``None`` when the module does not implement the hook.
    """
    impl = find_impl(pm, hook, module)
    if impl is None:
        return None
    return run_sync(module, hook, lambda: impl.function(*_args(impl, kwargs)), timeout, trace)


def run_sync(
    module: str, what: str, function: Callable[[], Any], timeout: float, trace: bool = False
) -> Outcome:
    """Run any piece of ``module``'s code (a hook, a middleware factory) from sync code,
    isolated in a daemon thread, within ``timeout``; ``what`` names it in errors."""
    hook = what
    started = time.perf_counter()
    future = _run_in_daemon_thread(function, f"bmc-hub-{what}-{module}")
    try:
        value = future.result(timeout)
    except concurrent.futures.TimeoutError:
        error: BaseException = HookTimeout(hook, module, timeout)
        return _trace(Outcome(module, hook, error=error, seconds=timeout), trace)
    # Module code is isolated exactly here (the thread re-raises the module's exception).
    except BaseException as exc:
        # Ctrl-C reaches the main thread only: a KeyboardInterrupt of a finished call is
        # the module's own; one while waiting is the user's.
        if isinstance(exc, KeyboardInterrupt) and not future.done():
            raise
        elapsed = time.perf_counter() - started
        return _trace(Outcome(module, hook, error=exc, seconds=elapsed), trace)
    return _trace(Outcome(module, hook, value=value, seconds=time.perf_counter() - started), trace)


@dataclass(frozen=True)
class _Exited:
    """What an ``async def`` hook's ``SystemExit`` or ``KeyboardInterrupt`` becomes inside
    its task (asyncio would re-raise either out of the event loop and stop the server)."""

    error: SystemExit | KeyboardInterrupt


async def _contained(coro: Coroutine[Any, Any, Any] | _Stepped) -> Any:
    try:
        return await coro
    except (SystemExit, KeyboardInterrupt) as exc:
        return _Exited(exc)


class _Stepped:
    """Awaits a coroutine step by step, timing each step: the longest is how long the
    module held the event loop without yielding (``time.sleep`` in an ``async def``).

    A coroutine that never yields cannot be cancelled, so this is how such a hook is
    found and named.
    """

    def __init__(self, coro: Coroutine[Any, Any, Any]) -> None:
        self.coro = coro
        self.longest = 0.0

    def __await__(self) -> Generator[Any, Any, Any]:
        value: Any = None
        error: BaseException | None = None
        while True:
            started = time.perf_counter()
            try:
                step = self.coro.send(value) if error is None else self.coro.throw(error)
            except StopIteration as stop:
                self._took(started)
                return stop.value
            except BaseException:
                self._took(started)
                raise
            self._took(started)
            value, error = None, None
            try:
                value = yield step
            # Cancellation (and anything else thrown in) goes on to the module's code.
            except BaseException as exc:  # noqa: BLE001
                error = exc

    def _took(self, started: float) -> None:
        self.longest = max(self.longest, time.perf_counter() - started)


#: A call still running: a hook's thread, or the task of an ``async def`` hook.
Inflight = concurrent.futures.Future[Any] | asyncio.Future[Any]


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Done callback of an abandoned call: read its outcome so asyncio never logs
    "exception was never retrieved" for a module's late failure."""
    if not future.cancelled():
        future.exception()


async def call_one_async(
    pm: pluggy.PluginManager,
    hook: str,
    module: str,
    kwargs: dict[str, Any],
    *,
    timeout: float,
    trace: bool = False,
    inflight: dict[str, Inflight] | None = None,
    blockers: set[str] | None = None,
) -> Outcome | None:
    """Call ``module``'s ``hook`` from the event loop, within ``timeout`` seconds.

    ``async def`` implementations run as their own task on the loop; sync ones run in a
    daemon thread so they cannot block it. Past the deadline the call is cancelled (a
    task) or abandoned (a thread) and reported as a timeout, even when the module
    swallows its cancellation. Whatever the module raises becomes its outcome,
    ``SystemExit`` and ``CancelledError`` included. With ``inflight``, a call still
    running from an earlier request (a thread, or a task that ignored its cancellation)
    is reported as a timeout instead of starting another one.
    """
    impl = find_impl(pm, hook, module)
    if impl is None:
        return None
    started = time.perf_counter()

    def failed(exc: BaseException) -> Outcome:
        elapsed = time.perf_counter() - started
        return _trace(Outcome(module, hook, error=exc, seconds=elapsed), trace)

    def timed_out() -> Outcome:
        error = HookTimeout(hook, module, timeout)
        return _trace(Outcome(module, hook, error=error, seconds=timeout), trace)

    previous = inflight.get(module) if inflight is not None else None
    if previous is not None and not previous.done():
        return timed_out()
    waiter: asyncio.Future[Any]
    stepped: _Stepped | None = None
    blocker = f"{module}:{hook}"
    quarantined = blockers is not None and blocker in blockers
    if inspect.iscoroutinefunction(impl.function) and not quarantined:
        try:
            coro: Coroutine[Any, Any, Any] = impl.function(*_args(impl, kwargs))
        # Module code is isolated here and below: whatever it raises is its outcome.
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            return failed(exc)
        stepped = _Stepped(coro)
        waiter = asyncio.ensure_future(_contained(stepped))
        if inflight is not None:
            inflight[module] = waiter
    else:
        future = _run_in_daemon_thread(
            lambda: impl.function(*_args(impl, kwargs)), f"bmc-hub-{hook}-{module}"
        )
        if inflight is not None:
            inflight[module] = future
        waiter = asyncio.wrap_future(future)
    try:
        done, _ = await asyncio.wait({waiter}, timeout=timeout)
    except asyncio.CancelledError:
        # The caller was cancelled (shutdown, a client gone): so is the module's call.
        waiter.cancel()
        raise
    if not done:
        waiter.add_done_callback(_retrieve)
        waiter.cancel()
        return timed_out()
    try:
        value = waiter.result()
    # A finished call: whatever it raised is the module's (KeyboardInterrupt included, as
    # Ctrl-C never reaches a worker thread or a hook's task).
    except BaseException as exc:  # noqa: BLE001
        return failed(exc)
    if isinstance(value, _Exited):
        return failed(value.error)
    if stepped is not None and stepped.longest > timeout:
        if blockers is not None:
            blockers.add(blocker)
        log.error("%s", EventLoopBlocked(hook, module, stepped.longest, timeout))
        return failed(EventLoopBlocked(hook, module, stepped.longest, timeout))
    return _trace(Outcome(module, hook, value=value, seconds=time.perf_counter() - started), trace)


def call_each_sync(
    pm: pluggy.PluginManager,
    hook: str,
    contexts: dict[str, Any],
    *,
    timeout: float,
    trace: bool = False,
) -> list[Outcome]:
    """Call ``hook`` on each module in ``contexts`` (name → its ModuleContext), in order."""
    outcomes = []
    for module, context in contexts.items():
        outcome = call_one_sync(pm, hook, module, {"module": context}, timeout=timeout, trace=trace)
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


async def call_each_async(
    pm: pluggy.PluginManager,
    hook: str,
    contexts: dict[str, Any],
    *,
    timeout: float,
    trace: bool = False,
    concurrent_calls: bool = False,
) -> list[Outcome]:
    """Async :func:`call_each_sync`; ``concurrent_calls`` runs the modules side by side."""
    calls = [
        call_one_async(pm, hook, module, {"module": ctx}, timeout=timeout, trace=trace)
        for module, ctx in contexts.items()
    ]
    if concurrent_calls:
        results = await asyncio.gather(*calls)
    else:
        results = [await call for call in calls]
    return [outcome for outcome in results if outcome is not None]
