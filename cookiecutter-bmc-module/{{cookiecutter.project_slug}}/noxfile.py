"""Nox sessions for {{ cookiecutter.project_slug }}: `nox -l` lists them."""

from __future__ import annotations

import nox

nox.needs_version = ">=2024.4"
nox.options.sessions = ("lint", "typecheck", "tests")
nox.options.default_venv_backend = "venv"


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and formatting with ruff."""
    session.install("ruff>=0.5")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Type-check the package with mypy (strict)."""
    session.install("-e", ".", "mypy>=1.10")
    session.run("mypy")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the tests on the installed package (PostgreSQL: set BMC_HUB_TEST_DATABASE_URL)."""
    session.install(".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def build(session: nox.Session) -> None:
    """Build the sdist and wheel into dist/ and check the wheel ships migrations and templates."""
    session.install("build>=1.2")
    session.run("python", "-m", "build", "--outdir", "dist")
    session.run("python", "-c", CHECK_WHEEL)


CHECK_WHEEL = """
import pathlib, sys, zipfile
wheel = sorted(pathlib.Path("dist").glob("*.whl"))[-1]
names = zipfile.ZipFile(wheel).namelist()
needed = ["{{ cookiecutter.__package_name }}/migrations/versions/0001_create_items.py"]
{%- if cookiecutter.include_views %}
needed.append("{{ cookiecutter.__package_name }}/templates/index.html")
{%- endif %}
missing = [n for n in needed if n not in names]
sys.exit(f"{wheel.name} lacks {missing}" if missing else 0)
"""
