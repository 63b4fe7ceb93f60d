"""The module's migrations, checked with the hub's own rules.

``assert_migrations_conform`` covers what pytest-alembic's built-in tests would (one head,
up/down stairway, models = schema) plus the hub's rules (prefix, short ids, branch label,
nothing left after ``downgrade base``). pytest-alembic's fixtures would need the core's
tables created first, which only a core-internal function does; this module imports
nothing from the core beyond its public API.
"""

from __future__ import annotations

from bmc_hub_invoice_scanner import module as scanner

from bmc_hub_core.testing import assert_migrations_conform

NAME = "invoice_scanner"


def test_migrations_conform_to_the_hub_rules(hub_database_url: str) -> None:
    assert_migrations_conform(NAME, hub_database_url)


def test_the_revision_files_carry_the_module_prefix() -> None:
    names = sorted(p.name for p in scanner.MIGRATIONS.glob("*.py"))
    assert names == ["invoice_scanner_0001_scans.py"]
