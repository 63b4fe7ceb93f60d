"""``bmc-hub modules new NAME``: generate a complete, installable module project."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, cast

import typer
from rich.prompt import Confirm, Prompt

from ..errors import ModuleNameError
from ..scaffold import LICENSES, Answers, License, check_target, render
from .output import console, escape, fail

DEFAULTS = Answers(name="defaults")


def _text(question: str, default: str) -> str:
    return str(Prompt.ask(question, default=default, console=console))


def _ask(answers: Answers, description: str | None) -> Answers:
    """Prompt for everything not given on the command line."""
    return Answers(
        name=answers.name,
        description=description or _text("One-line description", DEFAULTS.description),
        author_name=_text("Author name", DEFAULTS.author_name),
        author_email=_text("Author e-mail", DEFAULTS.author_email),
        license=cast(
            License,
            Prompt.ask(
                "License", choices=list(LICENSES), default=DEFAULTS.license, console=console
            ),
        ),
        include_views=Confirm.ask(
            f"Include an HTML page at /{answers.name}/?",
            default=DEFAULTS.include_views,
            console=console,
        ),
        include_job=Confirm.ask(
            "Include an example background job?", default=DEFAULTS.include_job, console=console
        ),
    )


def new(
    name: Annotated[str, typer.Argument(help="Module name, e.g. invoice_ocr.")],
    description: Annotated[
        str | None, typer.Option("--description", help="One-line description of the module.")
    ] = None,
    output_dir: Annotated[
        Path,
        typer.Option("--output-dir", help="Folder to create bmc-hub-NAME in.", file_okay=False),
    ] = Path("."),
    no_input: Annotated[
        bool,
        typer.Option("--no-input", help="Do not prompt; use defaults for what is not given."),
    ] = False,
) -> None:
    """Generate bmc-hub-NAME/: a module distribution with routes, a page, a migration and tests."""
    try:
        # Before any prompt or file: a bad name is a usage error and writes nothing.
        check_target(name, output_dir)
    except ModuleNameError as exc:
        fail(str(exc))
        raise typer.Exit(2) from None
    answers = Answers(name=name, description=description or DEFAULTS.description)
    if not no_input:
        answers = _ask(answers, description)
    target = render(answers, output_dir)
    # "./" keeps pip from reading a relative folder name as a package name.
    shown = str(target) if target.is_absolute() else f"./{target}"
    console.print(f"[green]created[/] {escape(shown)}", highlight=False)
    console.print(
        escape(
            f"next: pip install -e {shown}\n"
            f"      cd {shown} && pytest\n"
            f"      BMC_HUB_MODULES={name} bmc-hub serve"
        ),
        highlight=False,
    )
