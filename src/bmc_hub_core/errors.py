"""The one error hierarchy of the hub.

Every message names the thing that is wrong and how to fix it, so the CLI can print
``str(exc)`` as its one line and the HTTP layer can put it in ``{"detail": ...}``.
"""

from __future__ import annotations


class BmcHubError(Exception):
    """Base of every error the hub raises on purpose."""


class ConfigError(BmcHubError):
    """A core setting (``BMC_HUB_*``) is invalid; startup stops."""


class ModuleNameError(BmcHubError):
    """A module name breaks the one-name rule (regex, reserved word, ``__``)."""


class ModuleFailure(BmcHubError):
    """One module failed at one lifecycle stage; the hub goes on without it."""

    def __init__(self, module: str, stage: str, message: str) -> None:
        super().__init__(f"module '{module}' failed at {stage}: {message}")
        self.module = module
        self.stage = stage
        self.message = message


class HookTimeout(BmcHubError):
    """A module's hook did not return within its time budget."""

    def __init__(self, hook: str, module: str, seconds: float) -> None:
        super().__init__(
            f"hook {hook} of module '{module}' did not return within {seconds:g}s; "
            "make it faster or raise BMC_HUB_HOOK_TIMEOUT"
        )
        self.hook = hook
        self.module = module
        self.seconds = seconds


class EventLoopBlocked(BmcHubError):
    """An ``async def`` hook ran blocking code: it held the event loop past its budget."""

    def __init__(self, hook: str, module: str, seconds: float, budget: float) -> None:
        super().__init__(
            f"hook {hook} of module '{module}' blocked the event loop for {seconds:.1f}s "
            f"(its budget is {budget:g}s), so every other request waited; make it a plain "
            "`def` (the hub runs those in a thread of their own) or `await` the slow call; "
            "until restart the hub runs this hook in a thread"
        )
        self.hook = hook
        self.module = module
        self.seconds = seconds


class HookReturnError(BmcHubError):
    """A module's hook returned a value of the wrong type."""


class CoreMigrationError(BmcHubError):
    """The core's own migrations failed; the hub cannot run without its tables."""


class MigrationLockTimeout(BmcHubError):
    """Another process held the migration lock for longer than allowed."""


class StrictModeError(BmcHubError):
    """``BMC_HUB_STRICT`` is on and an allowed module is not enabled."""


class UsageError(BmcHubError):
    """A command was given an argument it cannot use (the CLI exits 2)."""


class UnknownModuleError(UsageError):
    """A command or request named a module that is not installed."""


class ModuleStateError(BmcHubError):
    """A runtime toggle is not possible in the module's current state."""


class ModuleMigrationError(BmcHubError):
    """One module's migration failed; its schema was rolled back and it is not served."""


class MigrationBusy(ModuleMigrationError):
    """Another session held a lock the module's migration needed: busy, retry. It is not
    recorded as a failure, so the next start (any replica) tries again."""


class SandboxViolation(ModuleMigrationError):
    """A module's migration touched objects outside its ``NAME_`` prefix."""


class DatabaseAheadError(ModuleMigrationError):
    """The database holds a module revision the installed code does not know."""


class ScaffoldError(BmcHubError):
    """A module project cannot be generated (output folder exists, template missing)."""


class DryRunViolation(BmcHubError):
    """A module in DRY_RUN tried something that would keep its writes (a ``COMMIT`` sent
    as SQL, autocommit); the hub refuses it instead."""


class JobFailed(BmcHubError):
    """Raised by a job: this run failed for a reason another try cannot fix (an unknown
    id, a refused credential). The run is ``failed`` at once, with this message, even
    when its job has retries left."""


class RetryLater(BmcHubError):
    """Raised by a job: try this run again in ``after`` seconds (a number or a
    ``timedelta``; a remote service's ``Retry-After``, say) instead of the job's backoff.
    It counts as an attempt: with none left, the run is ``failed`` with this message."""

    def __init__(self, message: str = "asked to be retried later", *, after: object) -> None:
        import datetime as dt

        seconds = after.total_seconds() if isinstance(after, dt.timedelta) else after
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
            raise TypeError(f"RetryLater(after=...) takes seconds or a timedelta, not {after!r}")
        super().__init__(message)
        self.after = float(seconds)
