"""``bmc-hub modules list|show|check|freeze``."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from ..errors import UnknownModuleError
from ..inspect import Inspection, inspect_hub
from ..records import module_record
from ..settings import load_settings
from ..types import ModuleState
from . import new
from .output import console, err_console, escape, print_json, styled_state

app = typer.Typer(help="Inspect, check and pin installed modules.", no_args_is_help=True)

JSON_OPTION = typer.Option(False, "--json", help="Machine-readable output.")


def _inspect(*, routes: bool = False) -> Inspection:
    return inspect_hub(load_settings(), routes=routes)


def _note(result: Inspection) -> None:
    if result.database_note:
        err_console.print(f"[yellow]note:[/] {escape(result.database_note)}", highlight=False)


def _error_text(data: dict[str, Any]) -> str:
    error = data["error"]
    return escape(f"{error['stage']}: {error['message']}") if error else ""


@app.command("list")
def list_modules(as_json: bool = JSON_OPTION) -> None:
    """Every discovered module with its state, version and error."""
    result = _inspect()
    records = [module_record(r, result.hub.registry) for r in result.hub.registry]
    if as_json:
        print_json(records)
        return
    _note(result)
    table = Table("name", "state", "distribution", "version", "error", title="BMC Hub modules")
    for data in records:
        table.add_row(
            data["name"],
            styled_state(data["state"]),
            escape(data["distribution"] or "-"),
            escape(data["version"] or "-"),
            _error_text(data),
        )
    if not records:
        console.print("No module is installed. Create one with `bmc-hub modules new NAME`.")
        return
    console.print(table)


@app.command("show")
def show(name: str = typer.Argument(..., help="Module name."), as_json: bool = JSON_OPTION) -> None:
    """One module in detail (settings with secrets redacted)."""
    result = _inspect()
    record = result.hub.registry.get(name)
    if record is None:
        known = ", ".join(r.name for r in result.hub.registry) or "none"
        raise UnknownModuleError(f"no module named '{name}' is installed (installed: {known})")
    data = module_record(record, result.hub.registry, detail=True)
    if as_json:
        print_json(data)
        return
    _note(result)
    table = Table(show_header=False, title=f"module {name}")
    for key, value in data.items():
        shown = (
            styled_state(value)
            if key == "state"
            else ("-" if value in (None, [], {}) else escape(str(value)))
        )
        table.add_row(key, shown)
    console.print(table)


@app.command("check")
def check(as_json: bool = JSON_OPTION) -> None:
    """Load and validate every allowed module without a server; exit 1 if any is not enabled."""
    result = _inspect(routes=True)
    hub = result.hub
    # The same question strict mode asks. An admin's decision is not a problem: a module
    # disabled by an admin, or one whose dependency an admin disabled, shows as "off".
    failing = {r.name for r in hub.allowed_not_enabled()}
    checked = [module_record(r, hub.registry) for r in hub.registry if hub.is_allowed(r.name)]
    problems = [
        {"name": d["name"], "state": d["state"], "error": d["error"]}
        for d in checked
        if d["name"] in failing
    ]
    ok = not problems
    if as_json:
        print_json({"ok": ok, "modules": checked, "problems": problems})
    else:
        _note(result)
        for data in checked:
            mark = (
                "[green]ok[/]"
                if data["state"] == ModuleState.ENABLED
                else ("[red]FAIL[/]" if data["name"] in failing else "[yellow]off[/]")
            )
            console.print(
                f"{mark} {data['name']} {styled_state(data['state'])} {_error_text(data)}",
                highlight=False,
            )
        if not checked:
            console.print("No module is allowed (BMC_HUB_MODULES is empty).")
        console.print(
            "[green]all allowed modules are healthy[/]"
            if ok
            else f"[red]{len(problems)} allowed module(s) are not enabled[/]"
        )
    if not ok:
        raise typer.Exit(1)


@app.command("freeze")
def freeze() -> None:
    """Pinned requirement lines (``distribution==version``) of installed module distributions."""
    from ..discovery import scan

    pins = {f"{c.distribution}=={c.version}" for found in scan().values() for c in found}
    for line in sorted(pins, key=str.lower):
        print(line)


app.command("new")(new.new)
