"""Assembles the command groups and turns hub errors into one line and an exit code."""

from __future__ import annotations

import logging
import sys

import click
import typer

from ..errors import BmcHubError, UnknownModuleError
from . import modules, serve
from .output import fail, setup_logging

app = typer.Typer(
    name="bmc-hub",
    help="BMC Hub: serve the hub, inspect and check modules, migrate the database.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("serve")(serve.serve)
app.add_typer(modules.app, name="modules")

_state = {"debug": False}


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks and debug logs."),
) -> None:
    _state["debug"] = debug
    setup_logging("WARNING", debug)


def main(argv: list[str] | None = None) -> int:
    try:
        result = app(args=argv, standalone_mode=False)
    except UnknownModuleError as exc:
        fail(str(exc))
        return 2
    except BmcHubError as exc:
        if _state["debug"]:
            logging.getLogger(__name__).exception("command failed")
        fail(str(exc))
        return 1
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        fail("aborted")
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
