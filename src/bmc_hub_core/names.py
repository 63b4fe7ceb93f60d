"""The one-name rule: a module's name is its URL segment, prefix, branch and env key."""

from __future__ import annotations

import re

from .errors import ModuleNameError

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,30}[a-z0-9]$")

#: Every first path segment (and word) the core itself uses.
RESERVED_NAMES = frozenset(
    {
        "api",
        "admin",
        "static",
        "docs",
        "redoc",
        "openapi",
        "health",
        "modules",
        "core",
        "hub",
        "customers",
        "login",
        "logout",
        "assets",
        "favicon",
        "jobs",
        "metrics",
        # Not URL segments but table prefixes the core or the database owns:
        # ``alembic_version`` is the core's version table, ``sqlite_*`` is SQLite's.
        "alembic",
        "sqlite",
    }
)


def validate_name(name: str) -> str:
    """Return ``name`` if it is a valid module name, else raise :class:`ModuleNameError`."""
    if not NAME_PATTERN.match(name):
        raise ModuleNameError(
            f"module name {name!r} is invalid: use 3-32 characters, lower-case letters, "
            "digits and '_', starting with a letter and not ending with '_' "
            "(for example 'invoice_ocr')"
        )
    if "__" in name:
        raise ModuleNameError(
            f"module name {name!r} is invalid: '__' is the settings separator "
            "(MODULES__NAME__KEY); use a single '_'"
        )
    if name in RESERVED_NAMES or name.startswith("hub_"):
        raise ModuleNameError(
            f"module name {name!r} is reserved by the core (it is a core URL segment or "
            "table prefix); choose another name, e.g. 'my_" + name + "'"
        )
    return name


def table_prefix(name: str) -> str:
    """The prefix every table, index, view, sequence and type of module ``name`` carries."""
    return f"{name}_"


def overlapping(name: str, others: set[str]) -> str | None:
    """Return the other module whose prefix ``name``'s tables would fall under, if any."""
    for other in sorted(others):
        if other != name and name.startswith(other + "_"):
            return other
    return None


def distribution_name(name: str) -> str:
    """The template's default distribution name for module ``name``."""
    return "bmc-hub-" + name.replace("_", "-")
