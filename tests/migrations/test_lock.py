"""The hub-wide migration lock: one run at a time, a clear error after the timeout."""

from __future__ import annotations

import pytest

from bmc_hub_core.db import make_engine
from bmc_hub_core.errors import MigrationLockTimeout
from bmc_hub_core.migrations.lock import migration_lock


def test_a_second_run_waits_then_fails_naming_the_setting(hub_database_url: str) -> None:
    engine = make_engine(hub_database_url)
    try:
        with (
            migration_lock(engine, 5),
            pytest.raises(MigrationLockTimeout) as info,
            migration_lock(engine, 0.3),
        ):
            pytest.fail("two runs held the lock at once")
        assert "BMC_HUB_MIGRATION_LOCK_TIMEOUT" in str(info.value)
        with migration_lock(engine, 0.3):
            pass  # released: the next run gets it at once
    finally:
        engine.dispose()
