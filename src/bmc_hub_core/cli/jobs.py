"""``bmc-hub worker`` and ``bmc-hub jobs list|runs|run|retry``."""

from __future__ import annotations

import json
import logging
import logging.config
import signal
from typing import Any

import typer
from rich.table import Table

from ..hub import Hub
from ..settings import load_settings
from .output import console, err_console, escape, print_json

app = typer.Typer(help="Background jobs of modules: list, history, run now, retry.")

JSON_OPTION = typer.Option(False, "--json", help="Machine-readable output.")


def _hub() -> Hub:
    return Hub.build(load_settings())


def _hub_with_toggles() -> Hub:
    """The hub with the admins' toggles applied, as the server and the worker see it."""
    from sqlalchemy.exc import SQLAlchemyError

    from ..state import apply_rows, read_rows

    hub = _hub()
    try:
        apply_rows(hub.registry, read_rows(hub.engine))
    except SQLAlchemyError as exc:
        note = "persisted module states not read (run `bmc-hub db upgrade` first?): "
        err_console.print(f"[yellow]note:[/] {escape(note + str(exc).splitlines()[0])}")
    return hub


@app.command("list")
def list_jobs(as_json: bool = JSON_OPTION) -> None:
    """Every declared job: schedule, module state, next run, last run and its outcome."""
    from ..jobs.catalog import describe

    jobs = describe(_hub_with_toggles())
    if as_json:
        print_json(jobs)
        return
    if not jobs:
        console.print("No allowed module declares a job.")
        return
    table = Table("job", "schedule", "module", "next run", "last run", title="jobs")
    for job in jobs:
        last = job["last_run"]
        shown = f"{last['state']} {last['finished_at'] or ''}" if last else "-"
        table.add_row(
            escape(job["name"]),
            escape(job["schedule"]),
            job["module_state"],
            job["next_run_at"] or "-",
            escape(shown),
        )
    console.print(table)


@app.command("runs")
def runs(
    module: str | None = typer.Option(None, "--module", help="Only this module's runs."),
    failed: bool = typer.Option(False, "--failed", help="Only failed runs."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000),
    as_json: bool = JSON_OPTION,
) -> None:
    """The newest runs: state, attempt, duration and error."""
    from ..jobs import queue

    found = queue.runs(_hub().engine, module=module, failed=failed, limit=limit)
    if as_json:
        print_json(found)
        return
    table = Table("id", "job", "state", "trigger", "attempt", "finished", "ms", "error")
    for run in found:
        table.add_row(
            str(run["id"]),
            escape(run["name"]),
            run["state"],
            run["trigger"],
            f"{run['attempt']}/{run['max_attempts']}",
            run["finished_at"] or "-",
            str(run["duration_ms"] or "-"),
            escape((run["error"] or "")[:120]),
        )
    console.print(table)


@app.command("run")
def run(
    name: str = typer.Argument(..., help="MODULE.job"),
    kwargs: str = typer.Option("{}", "--kwargs", help="The job's arguments as a JSON object."),
) -> None:
    """Queue a run now (a worker picks it up)."""
    from ..errors import UsageError
    from ..jobs.catalog import run_now

    try:
        arguments: Any = json.loads(kwargs)
    except ValueError as exc:
        raise UsageError(f"--kwargs is not JSON ({exc}); e.g. --kwargs '{{\"id\": 5}}'") from None
    if not isinstance(arguments, dict):
        raise UsageError("--kwargs must be a JSON object, e.g. --kwargs '{\"id\": 5}'")
    run_id = run_now(_hub(), name, arguments)
    console.print(f"queued run {run_id} of {escape(name)}", highlight=False)


@app.command("retry")
def retry(run_id: int = typer.Argument(..., help="The id of a failed run.")) -> None:
    """Queue a failed run again, with the same arguments."""
    from ..jobs.catalog import retry as queue_again

    new_id = queue_again(_hub(), run_id)
    console.print(f"queued run {new_id} (a retry of run {run_id})", highlight=False)


def worker(
    concurrency: int = typer.Option(2, "--concurrency", min=1, max=64, help="Runs at a time."),
) -> None:
    """Run the jobs of allowed, enabled modules until stopped (SIGTERM or Ctrl-C)."""
    from ..jobs.worker import Worker
    from ..logs import logging_config
    from ..migrations.runner import run_migrations
    from ..state import apply_rows, read_rows

    settings = load_settings()
    logging.config.dictConfig(logging_config(settings.log_level, settings.log_format))
    hub = Hub.build(settings)
    # A worker never migrates: the schema must be current (`bmc-hub db upgrade`).
    run_migrations(hub, None, check_only=True)
    apply_rows(hub.registry, read_rows(hub.engine))
    stopping = {"now": False}

    def stop(_signal: int, _frame: object) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    Worker(hub, concurrency).run(lambda: stopping["now"])
