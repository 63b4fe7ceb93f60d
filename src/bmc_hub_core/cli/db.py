"""``bmc-hub db upgrade|status|downgrade|revision``: the database, core and modules."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from ..errors import BmcHubError
from ..hub import Hub
from ..migrations.authoring import check_target, loaded_record, module_branch, new_revision
from ..migrations.authoring import downgrade as run_downgrade
from ..migrations.runner import run_migrations
from ..migrations.status import database_status
from ..settings import Settings, load_settings
from .output import console, escape, print_json, styled_state

app = typer.Typer(help="Migrate the database: the core, then every module.", no_args_is_help=True)

MODULE_OPTION = typer.Option(None, "--module", help="Only this module (after the core).")


def _hub(settings: Settings, only: str | None = None) -> Hub:
    """The hub as configured; with ``only``, that module is allowed too.

    Downgrade and revision work on one module whether or not the allowlist has it; the
    allowlist stays, so the modules it requires still load.
    """
    if only is not None and not settings.is_allowed(only):
        allowed = ",".join((*settings.allowed_names, only))
        settings = settings.model_copy(update={"modules": allowed})
    return Hub.build(settings)


RETRY_OPTION = typer.Option(
    [],
    "--retry",
    metavar="NAME",
    help="Try NAME's migration again although it failed before with the same code "
    "(repeatable). Without it, a failing migration is tried once per module version.",
)


@app.command("upgrade")
def upgrade(module: str | None = MODULE_OPTION, retry: list[str] = RETRY_OPTION) -> None:
    """Bring the core and every allowed module (or only --module) to head."""
    hub = _hub(load_settings())
    for name in retry:
        loaded_record(hub, name)  # a clear error for a name that is not loaded
    if module is not None:
        record = hub.registry.get(module)
        if record is not None and not hub.settings.is_allowed(module):
            raise BmcHubError(
                f"module '{module}' is not in BMC_HUB_MODULES; allow it before migrating it"
            )
        loaded_record(hub, module)
    report = run_migrations(hub, [module] if module else None, retry=retry)
    console.print(
        "core: " + ("[green]upgraded to head[/]" if report.core_upgraded else "at head"),
        highlight=False,
    )
    for record in hub.registry.loaded() if module is None else [hub.registry.get(module)]:
        if record is None or record.name in report.failed:
            continue
        head = record.migration.get("head")
        done = "upgraded to" if record.name in report.upgraded else "at"
        console.print(escape(f"{record.name}: {done} {head or '(no migrations)'}"), highlight=False)
    for name in report.missing:
        console.print(
            f"[yellow]{name}: not installed[/] (in BMC_HUB_MODULES; nothing to migrate)",
            highlight=False,
        )
    for name, message in report.failed.items():
        console.print(f"[bold red]{name}: failed:[/] {escape(message)}", highlight=False)
    if not report.ok:
        raise typer.Exit(1)


def _status_table(data: dict[str, Any]) -> Table:
    table = Table(
        "name", "state", "current", "head", "pending", "error", title=escape(data["database"])
    )
    core = data["core"]
    table.add_row("(core)", "", core["current"] or "-", core["head"], str(core["pending"]), "")
    for row in data["modules"]:
        error = row["error"]
        table.add_row(
            row["name"],
            styled_state(row["state"]),
            escape(row["current"] or "-"),
            escape(row["head"] or "-"),
            "-" if row["pending"] is None else str(row["pending"]),
            escape(f"{error['stage']}: {error['message']}") if error else "",
        )
    return table


@app.command("status")
def status(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Core and every module: current, head, pending, state; orphaned version tables."""
    data = database_status(_hub(load_settings()))
    if as_json:
        print_json(data)
        return
    console.print(_status_table(data))
    for orphan in data["orphans"]:
        text = (
            f"module '{orphan['name']}' is not installed but "
            f"{orphan['version_table']} (at {orphan['current']}) and its tables remain: "
            f"{', '.join(orphan['tables']) or '(none)'}. Reinstall it to keep the data, or "
            "reinstall and run `bmc-hub db downgrade --module "
            f"{orphan['name']} --to base` to remove it"
        )
        console.print(f"[yellow]orphan:[/] {escape(text)}", highlight=False)


@app.command("downgrade")
def downgrade(
    module: str = typer.Option(..., "--module", help="The module to downgrade."),
    to: str = typer.Option("-1", "--to", help="A revision, -N, or 'base' (removes its data)."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Downgrade one module; `--to base` drops all its tables and its version table."""
    hub = _hub(load_settings(), module)
    branch = module_branch(hub, module)
    check_target(branch, to)  # a bad --to is refused before anything is asked
    what = (
        f"drop every table of module '{module}' (all its data) and {branch.version_table}"
        if to == "base"
        else f"downgrade module '{module}' to {to}"
    )
    if not yes and not typer.confirm(f"This will {what}. Continue?", default=False):
        console.print("nothing changed")
        raise typer.Exit(1)
    now, left = run_downgrade(hub, module, to)
    console.print(escape(f"{module}: now at {now or 'base'}"), highlight=False)
    if left:
        # The downgrades ran and committed; what they forgot is the module's to fix.
        text = (
            f"the downgrades of '{module}' left {', '.join(left)}; "
            "drop them by hand and fix the module's downgrade()"
        )
        console.print(f"[yellow]warning:[/] {escape(text)}", highlight=False)


@app.command("revision")
def revision(
    module: str = typer.Option(..., "--module", help="The module to add a revision to."),
    message: str = typer.Option(..., "-m", "--message", help="What the revision does."),
    autogenerate: bool = typer.Option(
        False, "--autogenerate", help="Compare the module's metadata with the database."
    ),
) -> None:
    """Write a new revision file into the module's versions folder."""
    hub = _hub(load_settings(), module)
    path = new_revision(hub, module, message, autogenerate=autogenerate)
    console.print(escape(f"wrote {path}"), highlight=False, soft_wrap=True)


__all__ = ["app"]
