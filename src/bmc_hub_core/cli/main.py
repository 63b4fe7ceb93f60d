"""Assembles the command groups and turns hub errors into one line and an exit code."""

from __future__ import annotations

import logging
import sys

import typer
from sqlalchemy.exc import SQLAlchemyError

from ..errors import BmcHubError, UsageError
from . import db, jobs, modules, serve
from .output import fail, setup_logging

app = typer.Typer(
    name="bmc-hub",
    help="BMC Hub: serve the hub, inspect and check modules, migrate the database.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("serve")(serve.serve)
app.command("worker")(jobs.worker)
app.add_typer(modules.app, name="modules")
app.add_typer(db.app, name="db")
app.add_typer(jobs.app, name="jobs")

_state = {"debug": False}


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks and debug logs."),
) -> None:
    _state["debug"] = debug
    setup_logging("WARNING", debug)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; hub errors become one line on stderr and exit code 1 (2 for usage)."""
    try:
        # Typer/click handle usage errors themselves (exit 2) and always end in SystemExit.
        app(args=argv, standalone_mode=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except UsageError as exc:
        fail(str(exc))
        return 2
    except BmcHubError as exc:
        if _state["debug"]:
            logging.getLogger(__name__).exception("command failed")
        fail(str(exc))
        return 1
    except SQLAlchemyError as exc:
        if _state["debug"]:
            logging.getLogger(__name__).exception("command failed")
        fail(database_error(exc))
        return 1
    return 0


def database_error(exc: SQLAlchemyError) -> str:
    """One line for a database error the command did not handle itself."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return (
        f"database error: {first}. Check BMC_HUB_DATABASE_URL, that the server is up and "
        "the database exists, and run `bmc-hub db upgrade` if the hub's tables are "
        "missing (--debug shows the traceback)"
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
