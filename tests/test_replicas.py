"""Several replicas on one PostgreSQL database, as ops run them: real processes.

Three servers of two workers each start at the same moment on a fresh database with
auto-migrate on; a replica killed in the middle of a migration leaves the database as
it was and the next start finishes the job.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from bmc_hub_core.testing.databases import temporary_postgres_database

from .conftest import require_postgres
from .installs import pip_install_target, write_module_dist
from .servers import serving

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

TOKEN = "replicas-admin-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
DISTS = Path(__file__).parent / "dists"

SLOW_HOOK = """
from pathlib import Path

from bmc_hub_core import hookimpl


@hookimpl
def register_migrations():
    return Path(__file__).parent / "versions"
"""

SLOW_REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "slowmig_0001"
down_revision = None
branch_labels = ("slowmig",)
depends_on = None


def upgrade():
    op.create_table("slowmig_items", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("SELECT pg_sleep(30)")


def downgrade():
    op.drop_table("slowmig_items")
"""


@pytest.fixture
def database() -> Iterator[str]:
    with temporary_postgres_database(require_postgres()) as url:
        yield url


@pytest.fixture(scope="module")
def ledger_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ledger test module: three revisions that log each run (a primary key, so a
    second run of any revision would fail)."""
    return pip_install_target(tmp_path_factory.mktemp("ledger"), DISTS / "migrations_ledger")


def _query(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def test_three_replicas_start_together_and_migrate_once(
    tmp_path: Path, database: str, ledger_site: Path
) -> None:
    env = {
        "BMC_HUB_DATABASE_URL": database,
        "BMC_HUB_MODULES": "hello,ledger",
        "BMC_HUB_ADMIN_TOKEN": TOKEN,
        "BMC_HUB_STRICT": "true",
        "PYTHONPATH": str(ledger_site),
    }
    with (
        serving(tmp_path / "a", env, workers=2, wait=False) as a,
        serving(tmp_path / "b", env, workers=2, wait=False) as b,
        serving(tmp_path / "c", env, workers=2, wait=False) as c,
    ):
        replicas = [a, b, c]
        for replica in replicas:
            replica.wait_until_up(timeout=90)
        # Every revision ran exactly once (a second run would have hit the primary key).
        assert sorted(_query(database, "SELECT revision FROM ledger_runs")) == [
            ("ledger_0001",),
            ("ledger_0002",),
            ("ledger_0003",),
        ]
        assert _query(database, "SELECT version_num FROM ledger_alembic_version") == [
            ("ledger_0003",)
        ]
        for replica in replicas:
            modules = httpx.get(replica.base + "/api/v1/modules", headers=ADMIN).json()
            assert {m["name"]: m["state"] for m in modules if m["name"] in ("hello", "ledger")} == {
                "hello": "enabled",
                "ledger": "enabled",
            }
        # A toggle on one replica is enforced on all (every worker listens).
        assert (
            httpx.post(a.base + "/api/v1/modules/hello/disable", headers=ADMIN).status_code == 200
        )
        time.sleep(0.5)
        for replica in replicas:
            codes = {httpx.get(replica.base + "/api/v1/hello/").status_code for _ in range(10)}
            assert codes == {404}, replica.base


def test_a_replica_killed_mid_migration_leaves_the_database_consistent(
    tmp_path: Path, database: str
) -> None:
    site = write_module_dist(
        tmp_path / "site",
        "slowmig",
        {"__init__.py": SLOW_HOOK, "versions/slowmig_0001.py": SLOW_REVISION},
    )
    env = {
        "BMC_HUB_DATABASE_URL": database,
        "BMC_HUB_MODULES": "slowmig",
        "BMC_HUB_ADMIN_TOKEN": TOKEN,
        "PYTHONPATH": str(site),
    }
    sleeping = (
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()"
    )
    with serving(tmp_path / "doomed", env, wait=False) as doomed:
        deadline = time.monotonic() + 60
        while _query(database, sleeping) == [(0,)]:
            assert time.monotonic() < deadline, doomed.output()
            time.sleep(0.1)
        os.kill(doomed.process.pid, signal.SIGKILL)  # in the middle of the revision
        doomed.process.wait(timeout=10)
    # The killed session's transaction is rolled back and its lock released.
    deadline = time.monotonic() + 30
    while _query(database, sleeping) != [(0,)]:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    tables = {name for (name,) in _query(database, "SELECT tablename FROM pg_tables")}
    assert "slowmig_items" not in tables
    assert _query(database, "SELECT migration_stage FROM hub_module_state") in ([], [(None,)])
    # The next start finishes the job (a quick revision this time: the fixed release).
    (site / "bmc_hub_slowmig" / "versions" / "slowmig_0001.py").write_text(
        SLOW_REVISION.replace('op.execute("SELECT pg_sleep(30)")', "pass")
    )
    with serving(tmp_path / "next", env) as replacement:
        state = httpx.get(replacement.base + "/api/v1/modules/slowmig", headers=ADMIN).json()
        assert state["state"] == "enabled", state
    assert _query(database, "SELECT version_num FROM slowmig_alembic_version") == [
        ("slowmig_0001",)
    ]
