"""``bmc-hub modules list|show|check|freeze``."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from ..discovery import core_requirement_problem
from ..errors import UnknownModuleError
from ..hub import Hub
from ..inspect import Inspection, inspect_hub
from ..records import module_record
from ..settings import load_settings
from ..types import ModuleState
from . import new
from .output import console, err_console, escape, print_json, styled_state

app = typer.Typer(help="Inspect, check and pin installed modules.", no_args_is_help=True)

JSON_OPTION = typer.Option(False, "--json", help="Machine-readable output.")


def _inspect() -> Inspection:
    return inspect_hub(load_settings())


def _note(result: Inspection) -> None:
    if result.database_note:
        err_console.print(f"[yellow]note:[/] {escape(result.database_note)}", highlight=False)
    for line in result.advice.warnings:
        err_console.print(f"[yellow]warning:[/] {escape(line)}", highlight=False)


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


STRICT_OPTION = typer.Option(
    False,
    "--strict",
    help="Also fail on configuration that is probably a mistake (an empty BMC_HUB_MODULES "
    "while modules are installed). BMC_HUB_STRICT=true does the same.",
)


@app.command("check")
def check(as_json: bool = JSON_OPTION, strict: bool = STRICT_OPTION) -> None:
    """Load and validate every allowed module as the server would; exit 1 if any would not
    be served (failed, incompatible, missing, schema behind with auto-migrate off)."""
    result = _inspect()
    hub = result.hub
    strict = strict or hub.settings.strict
    # The same question strict mode asks. An admin's decision is not a problem: a module
    # disabled by an admin, or one whose dependency an admin disabled, shows as "off".
    failing = {r.name for r in hub.allowed_not_enabled()}
    checked = [module_record(r, hub.registry) for r in hub.registry if hub.is_allowed(r.name)]
    problems = [
        {"name": d["name"], "state": d["state"], "error": d["error"]}
        for d in checked
        if d["name"] in failing
    ]
    configuration = result.advice.strict_errors if strict else []
    incompatible = incompatible_installed(hub)
    ok = not problems and not configuration
    if as_json:
        print_json(
            {
                "ok": ok,
                "modules": checked,
                "problems": problems,
                "warnings": result.advice.warnings,
                "incompatible": incompatible,
            }
        )
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
        for item in incompatible:
            if item["name"] not in failing:
                console.print(
                    f"[yellow]incompatible[/] {escape(item['name'])}: {escape(item['problem'])}",
                    highlight=False,
                )
        for line in configuration:
            console.print(f"[red]FAIL[/] {escape(line)} (strict)", highlight=False)
        if ok:
            console.print("[green]all allowed modules are healthy[/]")
        if problems:
            names = ", ".join(p["name"] for p in problems)
            console.print(f"[red]{len(problems)} allowed module(s) are not enabled:[/] {names}")
        if configuration:
            console.print("[red]the configuration fails the strict check[/]")
    if not ok:
        raise typer.Exit(1)


def incompatible_installed(hub: Hub) -> list[dict[str, str]]:
    """Every installed module (allowed or not) whose declared ``bmc-hub-core`` range the
    installed core does not satisfy: what a pre-deploy gate must see before enabling it."""
    found = []
    for record in hub.registry:
        if record.candidate is None:
            continue
        problem = core_requirement_problem(record.candidate, hub.core_version)
        if problem:
            found.append(
                {
                    "name": record.name,
                    "distribution": record.candidate.distribution,
                    "problem": problem,
                }
            )
    return found


@app.command("freeze")
def freeze() -> None:
    """Pinned requirement lines (``distribution==version``) of installed module distributions."""
    from ..discovery import scan

    pins = {f"{c.distribution}=={c.version}" for found in scan().values() for c in found}
    for line in sorted(pins, key=str.lower):
        print(line)


app.command("new")(new.new)
