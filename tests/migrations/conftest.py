"""Fixtures for the migration tests: revision folders written on the fly, and the
``ledger`` / ``notes`` test distributions really installed (each into its own folder,
so a test can "uninstall" one by leaving its folder off the path)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.installs import pip_install_target

DISTS = Path(__file__).parent.parent / "dists"


def _install(source: Path, target: Path) -> Path:
    return pip_install_target(target, source)


@pytest.fixture(scope="session")
def migration_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """module name → a folder holding only that installed test distribution."""
    return {
        name: _install(DISTS / f"migrations_{name}", tmp_path_factory.mktemp(f"site_{name}"))
        for name in ("ledger", "notes", "sneaky")
    }


RevisionWriter = Callable[..., Path]


@pytest.fixture
def write_revisions(tmp_path: Path) -> RevisionWriter:
    """``write_revisions("demo", [up1, up2], downs=[...])`` → a versions folder.

    Each ``up`` is the body of ``upgrade()`` (indented code); revision ids are
    ``NAME_0001``..., the first carries the branch label.
    """
    counter = iter(range(1000))

    def write(name: str, ups: list[str], downs: list[str] | None = None) -> Path:
        folder = tmp_path / f"versions_{name}_{next(counter)}"
        folder.mkdir()
        for index, body in enumerate(ups, start=1):
            down = (downs or [])[index - 1] if downs and index <= len(downs) else "pass"
            previous = f"'{name}_{index - 1:04d}'" if index > 1 else "None"
            label = f"('{name}',)" if index == 1 else "None"
            (folder / f"{name}_{index:04d}.py").write_text(
                "import sqlalchemy as sa\n"
                "from alembic import op\n\n"
                f"revision = '{name}_{index:04d}'\n"
                f"down_revision = {previous}\n"
                f"branch_labels = {label}\n"
                "depends_on = None\n\n\n"
                f"def upgrade():\n{_indent(body)}\n\n\n"
                f"def downgrade():\n{_indent(down)}\n"
            )
        return folder

    return write


def _indent(body: str) -> str:
    lines = [line for line in body.strip("\n").splitlines()] or ["pass"]
    return "\n".join("    " + line for line in lines)


def table_sql(name: str) -> str:
    """An ``upgrade()`` body creating table ``name``."""
    return f"op.create_table('{name}', sa.Column('id', sa.Integer, primary_key=True))"
