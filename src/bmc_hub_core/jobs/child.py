"""One run of a job, in a process of its own forked from the worker.

A process per run (the model of RQ's work horse) is what lets the worker stop a run
that outlives its ``timeout`` (a thread cannot be killed), and keeps a job that crashes
or leaks from taking the worker with it. The child gets the module's context with fresh
database connections; with READ_ONLY on, every connection it opens refuses writes (the
database itself does: ``SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY`` /
``PRAGMA query_only``); with DRY_RUN on, its engine keeps nothing, as for requests.
"""

from __future__ import annotations

import asyncio
import inspect
import multiprocessing
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from ..context import ModuleContext
from ..errors import JobFailed, RetryLater
from .declare import Job


@dataclass(frozen=True)
class RunEnd:
    """What a run's process sends back: its error (None: it succeeded) and what the job
    asked for: no retry (:class:`JobFailed`) or a retry after so many seconds
    (:class:`RetryLater`)."""

    error: str | None = None
    final: bool = False
    retry_after: float | None = None


def _read_only(dialect: str) -> Any:
    statement = (
        "PRAGMA query_only = ON"
        if dialect == "sqlite"
        else "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"
    )

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(statement)
        cursor.close()
        # PostgreSQL: the SET opened a transaction that is still read-write; the
        # setting holds for every transaction after this one.
        dbapi_connection.commit()

    return on_connect


def prepare_engine(engine: Engine, *, read_only: bool) -> None:
    """After fork: never reuse the parent's pooled connections; READ_ONLY refuses
    writes in the database itself."""
    engine.dispose(close=False)  # SQLAlchemy's recipe for a forked process
    if read_only:
        event.listen(engine, "connect", _read_only(engine.dialect.name))


def run_in_child(
    pipe: Connection, context: ModuleContext, job: Job, kwargs: dict[str, Any]
) -> None:
    """The child's whole life: run the job, send back a :class:`RunEnd`."""
    try:
        prepare_engine(context.hub_engine, read_only=context.read_only)
        result = job.run(context, **kwargs)
        if inspect.isawaitable(result):
            asyncio.run(_await(result))
        pipe.send(RunEnd())
    # The job is module code: whatever it raises (SystemExit too) is its run's error.
    except BaseException as exc:  # noqa: BLE001
        summary = "".join(traceback.format_exception_only(exc)).strip()
        pipe.send(
            RunEnd(
                error=context_mask(context, summary),
                final=isinstance(exc, JobFailed),
                retry_after=exc.after if isinstance(exc, RetryLater) else None,
            )
        )
    finally:
        pipe.close()


async def _await(value: Any) -> Any:
    return await value


def context_mask(context: ModuleContext, text: str) -> str:
    """The module's secrets and URL passwords masked, as in every message admins see."""
    from ..module_settings import secret_values
    from ..redact import mask_values

    return mask_values(text, secret_values(context.settings))


def start_child(
    context: ModuleContext, job: Job, kwargs: dict[str, Any]
) -> tuple[BaseProcess, Connection]:
    """A forked process running ``job`` (:func:`run_in_child`), and the end of the pipe
    its :class:`RunEnd` comes back on."""
    fork = multiprocessing.get_context("fork")
    receiving, sending = fork.Pipe(duplex=False)
    process = fork.Process(
        target=run_in_child,
        args=(sending, context, job, kwargs),
        name=f"bmc-hub-job-{context.name}.{job.name}",
        daemon=True,
    )
    process.start()
    sending.close()
    return process, receiving


def received_end(process: BaseProcess, pipe: Connection) -> RunEnd:
    """How a child that is done ended: what it sent, or the error of one that ended
    without a result (killed, or ``os._exit``)."""
    end = None
    if pipe.poll():
        try:
            end = pipe.recv()
        except EOFError:
            end = None
    if isinstance(end, RunEnd):
        return end
    return RunEnd(error=f"the job's process ended without a result (exit code {process.exitcode})")


def stop_at_timeout(process: BaseProcess, job: Job) -> RunEnd:
    """Kill a child still running at its job's ``timeout``; the run's end."""
    process.kill()
    process.join(5)
    return RunEnd(error=f"timed out: still running after {job.timeout:g}s, so it was stopped")


def run_and_wait(context: ModuleContext, job: Job, kwargs: dict[str, Any]) -> RunEnd:
    """One run in a forked process, as the worker starts it, waited for up to the job's
    ``timeout`` (then killed). For ``bmc_hub_core.testing.run_job``; the worker itself
    keeps several runs going at once and never waits on one."""
    process, receiving = start_child(context, job, kwargs)
    try:
        if receiving.poll(job.timeout):
            process.join(5)
            return received_end(process, receiving)
        return stop_at_timeout(process, job)
    finally:
        receiving.close()
