"""nox sessions for BMC Hub Core. `nox` runs the default list: lint, typecheck, tests."""

from __future__ import annotations

import os

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True

PYTHON = "3.11"
EXAMPLE_MODULES = sorted(
    f"plugins/{name}"
    for name in os.listdir("plugins")
    if os.path.isfile(f"plugins/{name}/pyproject.toml")
)


def _install(session: nox.Session, extra: str = "test,thirdparty") -> None:
    editables = [arg for path in EXAMPLE_MODULES for arg in ("-e", f"{path}[test]")]
    session.install("-e", f".[{extra}]", *editables)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the test suite (SQLite, and PostgreSQL when reachable; pass pytest args after --)."""
    _install(session)
    session.run("pytest", *(session.posargs or ["tests", "plugins"]))


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff: lint and format check."""
    session.install("ruff>=0.5")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict over src/bmc_hub_core."""
    _install(session, "dev")
    session.run("mypy")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Regenerate docs/hooks.md from the hookspec docstrings."""
    _install(session)
    with open("docs/hooks.md", "w", encoding="utf-8") as out:
        session.run("python", "-m", "bmc_hub_core.hookdoc", stdout=out)


@nox.session(python=PYTHON)
def benchmarks(session: nox.Session) -> None:
    """Run the performance scripts in benchmarks/ (figures go to docs/performance.md)."""
    _install(session)
    for script in sorted(os.listdir("benchmarks")):
        if script.endswith(".py") and not script.startswith("_"):
            session.run("python", f"benchmarks/{script}")
