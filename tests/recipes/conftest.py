"""What the recipe tests share: a look at the database from outside the hub."""

from __future__ import annotations

import importlib.util
import sys
import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa


class Database:
    """The test database through an engine of the test's own (no pool kept), to check
    what the hub really stored."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        with self.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(sql), params)]

    def execute(self, sql: str, **params: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.text(sql), params)


@pytest.fixture
def database(hub_database_url: str) -> Iterator[Database]:
    db = Database(hub_database_url)
    yield db
    db.engine.dispose()


LoadAgain = Callable[[types.ModuleType, str], types.ModuleType]


@pytest.fixture
def load_again(monkeypatch: pytest.MonkeyPatch) -> LoadAgain:
    """``load_again(recipe, "beta")``: a fresh copy of a recipe's module file, imported as
    ``bmc_hub_beta`` (for this test only), as if a distribution of its own shipped it: a
    hub registers each module object once."""

    def load(module: types.ModuleType, name: str) -> types.ModuleType:
        assert module.__file__ is not None
        spec = importlib.util.spec_from_file_location(f"bmc_hub_{name}", module.__file__)
        assert spec is not None and spec.loader is not None
        copy = importlib.util.module_from_spec(spec)
        monkeypatch.setitem(sys.modules, spec.name, copy)
        spec.loader.exec_module(copy)
        return copy

    return load
