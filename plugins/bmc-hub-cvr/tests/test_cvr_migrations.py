"""The module's migrations follow the hub's rules (prefix, one head, stairway, models)."""

from __future__ import annotations

from bmc_hub_core.testing import assert_migrations_conform


def test_migrations_conform_to_the_hub_rules(hub_database_url):
    """One head, ids <= 32 characters, the branch label, every object named ``cvr_``,
    models = schema, each revision up/down/up, nothing left at base."""
    assert_migrations_conform("cvr", hub_database_url)
