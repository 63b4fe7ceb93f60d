"""A rolling deploy with real processes: replica A runs module version 1 while the
migrate job upgrades the database to version 2; B runs version 2; A is replaced."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bmc_hub_core.testing.databases import temporary_postgres_database

from .conftest import require_postgres
from .installs import write_module_dist
from .servers import BMC_HUB, clean_env, serving

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

TOKEN = "rolling-admin-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
ITEMS = "/api/v1/rolling/items"

MODULE = """
from pathlib import Path

import sqlalchemy as sa
from fastapi import APIRouter

from bmc_hub_core import ModuleContext, hookimpl


@hookimpl
def register_migrations():
    return Path(__file__).parent / "versions"


@hookimpl
def register_routes(module: ModuleContext) -> APIRouter:
    router = APIRouter()

    @router.get("/items")
    def items() -> int:
        with module.session() as session:
            return int(session.scalar(sa.text("SELECT count(*) FROM rolling_items")))

    return router
"""

FIRST = """
import sqlalchemy as sa
from alembic import op

revision = "rolling_0001"
down_revision = None
branch_labels = ("rolling",)
depends_on = None


def upgrade():
    op.create_table("rolling_items", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("rolling_items")
"""

# Version 2 only adds a nullable column: version 1's code keeps working on it, which
# is what makes a rolling deploy safe (docs/operations.md).
SECOND = """
import sqlalchemy as sa
from alembic import op

revision = "rolling_0002"
down_revision = "rolling_0001"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("rolling_items", sa.Column("note", sa.Text, nullable=True))


def downgrade():
    op.drop_column("rolling_items", "note")
"""


@pytest.fixture
def database() -> Iterator[str]:
    with temporary_postgres_database(require_postgres()) as url:
        yield url


def release(folder: Path, *revisions: str) -> Path:
    files = {"__init__.py": MODULE}
    for index, text in enumerate(revisions, start=1):
        files[f"versions/rolling_000{index}.py"] = text
    return write_module_dist(folder, "rolling", files)


def test_a_rolling_deploy(tmp_path: Path, database: str) -> None:
    v1, v2 = release(tmp_path / "v1", FIRST), release(tmp_path / "v2", FIRST, SECOND)
    base = {
        "BMC_HUB_DATABASE_URL": database,
        "BMC_HUB_MODULES": "hello,rolling",
        "BMC_HUB_ADMIN_TOKEN": TOKEN,
    }
    with serving(tmp_path / "a", {**base, "PYTHONPATH": str(v1)}) as a:
        assert httpx.get(a.base + ITEMS).json() == 0

        # 1. The migrate job of the new release (BMC_HUB_AUTO_MIGRATE=false replicas
        #    would not migrate on their own).
        job = subprocess.run(
            [BMC_HUB, "db", "upgrade"],
            env=clean_env(**base, PYTHONPATH=str(v2)),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert job.returncode == 0, job.stdout + job.stderr
        assert "rolling: upgraded to rolling_0002" in job.stdout

        # 2. A (version 1) serves on and says its database is newer than its code.
        assert httpx.get(a.base + ITEMS).json() == 0
        record = httpx.get(a.base + "/api/v1/modules/rolling", headers=ADMIN).json()
        assert record["state"] == "enabled"
        assert record["migration"]["ahead"] == ["rolling_0002"]
        assert any("database is newer than this code" in w for w in record["warnings"])

        # 3. A version-1 process starting now (A restarted mid-deploy) does not crash:
        #    it serves everything but that module, and says why.
        with serving(tmp_path / "a2", {**base, "PYTHONPATH": str(v1)}) as restarted:
            assert httpx.get(restarted.base + "/api/v1/hello/").status_code == 200
            assert httpx.get(restarted.base + ITEMS).status_code == 503
            error = httpx.get(restarted.base + "/api/v1/modules/rolling", headers=ADMIN).json()
            assert error["error"]["stage"] == "migrate"
            assert "newer than the code" in error["error"]["message"]

        # 4. B (version 2) serves the module.
        with serving(tmp_path / "b", {**base, "PYTHONPATH": str(v2)}) as b:
            assert httpx.get(b.base + ITEMS).json() == 0
            record = httpx.get(b.base + "/api/v1/modules/rolling", headers=ADMIN).json()
            assert record["migration"]["ahead"] is None and record["state"] == "enabled"

    # 5. A replaced by version 2: healthy everywhere.
    with serving(tmp_path / "a3", {**base, "PYTHONPATH": str(v2)}) as replaced:
        health = httpx.get(replaced.base + "/api/v1/health").json()
        assert health == {"status": "ok", "modules": {"hello": "ok", "rolling": "ok"}}
