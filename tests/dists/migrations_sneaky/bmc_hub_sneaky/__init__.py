"""Test module ``sneaky``: its only revision breaks the prefix rule."""

from pathlib import Path

from bmc_hub_core import hookimpl


@hookimpl
def register_migrations() -> Path:
    return Path(__file__).parent / "versions"
