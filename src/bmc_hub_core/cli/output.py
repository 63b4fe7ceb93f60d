"""How the CLI prints: Rich tables for people, JSON for machines, one line for errors."""

from __future__ import annotations

import json
import logging
from typing import Any

from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape

console = Console()
err_console = Console(stderr=True)

STATE_STYLES = {
    "enabled": "green",
    "disabled": "yellow",
    "not_allowed": "dim",
    "missing": "red",
    "failed": "bold red",
    "incompatible": "bold red",
    "discovered": "cyan",
}


__all__ = ["console", "err_console", "escape", "fail", "print_json", "setup_logging"]


def print_json(data: Any) -> None:
    # Plain print, not Rich: machines read this and it must never be re-wrapped.
    print(json.dumps(data, indent=2, sort_keys=False, default=str))


def fail(message: str) -> None:
    # Messages quote user input, SQL and paths: brackets in them are text, not markup.
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)


def styled_state(state: str) -> str:
    return f"[{STATE_STYLES.get(state, 'white')}]{state}[/]"


def setup_logging(level: str, debug: bool = False) -> None:
    logging.basicConfig(
        level="DEBUG" if debug else level,
        format="%(message)s",
        handlers=[RichHandler(console=err_console, show_path=debug, rich_tracebacks=debug)],
        force=True,
    )
    if not debug:
        # The commands print every module's state and error themselves; the core's own
        # log lines (with tracebacks) would only repeat them. --debug shows them.
        logging.getLogger("bmc_hub_core").setLevel(logging.CRITICAL)
