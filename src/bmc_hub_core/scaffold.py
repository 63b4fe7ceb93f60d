"""Generate a module project from the ``cookiecutter-bmc-module`` template.

The template ships inside the core's wheel (``bmc_hub_core/cookiecutter-bmc-module``), so
``bmc-hub modules new`` works from a plain ``pip install bmc-hub-core``; in a source
checkout it is read from the repository root. Cookiecutter is driven through its
lower-level functions: nothing is prompted here (the CLI asks), no user configuration
is read and no replay file is written outside the generated project.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from packaging.version import Version

from .discovery import core_version
from .errors import ScaffoldError
from .names import distribution_name, validate_name

TEMPLATE_NAME = "cookiecutter-bmc-module"
LICENSES = ("MIT", "Apache-2.0", "Proprietary")

License = Literal["MIT", "Apache-2.0", "Proprietary"]


@dataclass(frozen=True)
class Answers:
    """Everything the template asks; ``name`` is the module name (validated)."""

    name: str
    description: str = "A BMC Hub module."
    author_name: str = "BMC Hub developer"
    author_email: str = "developer@example.com"
    license: License = "MIT"
    include_views: bool = True
    include_job: bool = True

    def context(self, core: str) -> dict[str, object]:
        """The cookiecutter variables these answers set, for a core at version ``core``."""
        return {
            "module_name": self.name,
            "description": " ".join(self.description.split()),
            "author_name": self.author_name,
            "author_email": self.author_email,
            "license": self.license,
            "include_views": self.include_views,
            "include_job": self.include_job,
            "project_slug": distribution_name(self.name),
            "core_requirement": core_requirement(core),
        }


def core_requirement(version: str) -> str:
    """The compatible range a new module declares on the core it was generated with.

    ``0.1.3`` → ``bmc-hub-core>=0.1,<1``; ``2.4.0`` → ``bmc-hub-core>=2.4,<3``: at least
    the features of this minor release, and no next major release (a new hook contract).
    """
    parsed = Version(version)
    return f"bmc-hub-core>={parsed.major}.{parsed.minor},<{parsed.major + 1}"


def template_dir() -> Path:
    """The template folder: inside the installed package, else in the source checkout."""
    packaged = Path(str(resources.files("bmc_hub_core") / TEMPLATE_NAME))
    source = Path(__file__).resolve().parents[2] / TEMPLATE_NAME
    for candidate in (packaged, source):
        if (candidate / "cookiecutter.json").is_file():
            return candidate
    raise ScaffoldError(
        f"the module template {TEMPLATE_NAME!r} is missing from this bmc-hub-core "
        "installation; reinstall it with `pip install --force-reinstall bmc-hub-core`"
    )


def project_dir(name: str, output_dir: Path) -> Path:
    """Where the project of module ``name`` is generated: ``OUTPUT/bmc-hub-NAME``."""
    return output_dir / distribution_name(name)


def check_target(name: str, output_dir: Path) -> Path:
    """Validate ``name`` and refuse an existing project folder; writes nothing.

    Raises :class:`~bmc_hub_core.errors.ModuleNameError` or :class:`ScaffoldError`.
    """
    validate_name(name)
    target = project_dir(name, output_dir)
    if target.exists():
        raise ScaffoldError(
            f"{target} already exists; nothing was written. Remove it or choose another "
            "folder with --output-dir"
        )
    if output_dir.exists() and not output_dir.is_dir():
        raise ScaffoldError(f"--output-dir {output_dir} is a file, not a folder")
    return target


def render(answers: Answers, output_dir: Path) -> Path:
    """Generate the project for ``answers`` under ``output_dir``; return its folder."""
    # Imported here: cookiecutter is only needed by this command, not by the server.
    from cookiecutter.exceptions import CookiecutterException, FailedHookException
    from cookiecutter.generate import generate_context, generate_files
    from cookiecutter.prompt import prompt_for_config

    target = check_target(answers.name, output_dir)
    template = template_dir()
    try:
        context = generate_context(
            context_file=str(template / "cookiecutter.json"),
            extra_context=answers.context(core_version()),
        )
        context["cookiecutter"] = prompt_for_config(context, no_input=True)
        generate_files(
            repo_dir=str(template),
            context=context,
            output_dir=str(output_dir),
            overwrite_if_exists=False,
        )
    except FailedHookException as exc:
        raise ScaffoldError(f"the template refused the answers: {exc}") from None
    except CookiecutterException as exc:
        raise ScaffoldError(f"generating {target.name} failed: {exc}") from None
    except OSError as exc:
        raise ScaffoldError(
            f"cannot write {target}: {exc.strerror or exc}; choose a writable --output-dir"
        ) from None
    return target
