"""Hook implementations of the ``subscriptions`` module (the entry-point object)."""

from __future__ import annotations

from pathlib import Path

from bmc_hub_core import ModuleSettings, hookimpl

from .settings import SubscriptionsSettings
from .tables import metadata

hub_api = ">=1,<2"

__all__ = ["metadata"]  # the core's `db revision --autogenerate` compares against it


@hookimpl
def register_settings() -> type[ModuleSettings]:
    return SubscriptionsSettings


@hookimpl
def register_migrations() -> Path:
    """The versions folder ships inside the package (and so inside the wheel)."""
    return Path(__file__).parent / "migrations" / "versions"
