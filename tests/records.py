"""Assertions about module records shared by the tests."""

from __future__ import annotations

from bmc_hub_core.hub import Hub
from bmc_hub_core.registry import ModuleRecord
from bmc_hub_core.types import ModuleState


def assert_failed(hub: Hub, name: str, stage: str, *fragments: str) -> ModuleRecord:
    """``name`` is failed at ``stage`` and its message contains every fragment."""
    record = hub.registry.get(name)
    assert record is not None, f"no record for {name!r}"
    assert record.state is ModuleState.FAILED, record
    assert record.error is not None
    assert record.error.stage == stage, record.error
    for fragment in fragments:
        assert fragment in record.error.message, record.error.message
    return record
