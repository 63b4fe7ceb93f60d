"""Which modules ``bmc-hub db downgrade|revision --module NAME`` loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from bmc_hub_core.cli.db import _hub
from bmc_hub_core.settings import Settings
from bmc_hub_core.types import ModuleState


def _settings(url: str, modules: str) -> Settings:
    return Settings(_env_file=None, database_url=url, modules=modules)  # type: ignore[call-arg]


@pytest.mark.parametrize("allowlist", ["dep_base,dep_user", "dep_base", "*"])
def test_a_module_and_the_modules_it_requires_load(
    with_dists: Path, sqlite_only_url: str, allowlist: str
) -> None:
    hub = _hub(_settings(sqlite_only_url, allowlist), "dep_user")
    user = hub.registry.get("dep_user")
    assert user is not None and user.state is ModuleState.ENABLED, user
    base = hub.registry.get("dep_base")
    assert base is not None and base.state is ModuleState.ENABLED
    hub.engine.dispose()


def test_a_required_module_outside_the_allowlist_is_named(
    with_dists: Path, sqlite_only_url: str
) -> None:
    hub = _hub(_settings(sqlite_only_url, ""), "dep_user")
    user = hub.registry.get("dep_user")
    assert user is not None and user.state is ModuleState.FAILED
    assert user.error is not None and "dep_base" in user.error.message
    hub.engine.dispose()
