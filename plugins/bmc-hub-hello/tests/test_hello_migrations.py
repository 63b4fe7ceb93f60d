"""The hello module's migrations: pytest-alembic's built-in checks, the hub's conformance
checks (prefix, stairway, clean downgrade) and the routes that use the table."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.config import Config
from bmc_hub_hello import module as hello
from bmc_hub_hello.tables import metadata
from pytest_alembic.tests import (  # noqa: F401 - collected as tests of this module
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)

from bmc_hub_core.testing.migrations import (
    assert_migrations_conform,
    core_tables_engine,
    module_alembic_config,
)

WRITABLE = {"MODULES__HELLO__READ_ONLY": "false", "MODULES__HELLO__DRY_RUN": "false"}


@pytest.fixture
def alembic_config() -> Config:
    return module_alembic_config("hello", hello.register_migrations(), metadata)


@pytest.fixture
def alembic_engine(hub_database_url: str) -> Iterator[sa.Engine]:
    with core_tables_engine(hub_database_url) as engine:  # tables may reference the core's
        yield engine


def test_migrations_conform_to_the_hub_rules(hub_database_url: str) -> None:
    assert_migrations_conform("hello", hub_database_url)


def test_kept_greetings_are_listed_newest_first(hub_client) -> None:
    client = hub_client(installed=["hello"], env=WRITABLE)
    for name in ("Ada", "Grace"):
        assert client.post("/api/v1/hello/greetings", json={"name": name}).status_code == 201
    assert client.get("/api/v1/hello/greetings/log").json() == [
        {"message": "Hello, Grace"},
        {"message": "Hello, Ada"},
    ]


def test_dry_run_keeps_nothing(hub_client) -> None:
    client = hub_client(installed=["hello"], env={"MODULES__HELLO__READ_ONLY": "false"})
    answer = client.post("/api/v1/hello/greetings", json={"name": "Ada"})
    assert answer.status_code == 201
    assert answer.headers["x-bmc-dry-run"] == "true"
    assert client.get("/api/v1/hello/greetings/log").json() == []
