"""Recipe modules use only the hub's public API: ``bmc_hub_core`` (the names in its
``__all__``), ``bmc_hub_core.db`` and ``bmc_hub_core.testing``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import bmc_hub_core

RECIPES = sorted(Path(__file__).parent.glob("*_module.py"))
PUBLIC_MODULES = {"bmc_hub_core.db", "bmc_hub_core.testing"}


def private_uses(source: str) -> list[str]:
    """What ``source`` takes from the core outside its public API, as ``line: what``."""
    found = []
    aliases: set[str] = set()  # names bound to the package itself (import bmc_hub_core)
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "bmc_hub_core":
                    aliases.add(alias.asname or alias.name)
                elif alias.name.startswith("bmc_hub_core.") and alias.name not in PUBLIC_MODULES:
                    found.append(f"{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            if node.module == "bmc_hub_core":
                found += [
                    f"{node.lineno}: from bmc_hub_core import {alias.name}"
                    for alias in node.names
                    if alias.name not in bmc_hub_core.__all__
                ]
            elif node.module.startswith("bmc_hub_core.") and node.module not in PUBLIC_MODULES:
                found.append(f"{node.lineno}: from {node.module} import ...")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and node.attr not in bmc_hub_core.__all__
            and f"bmc_hub_core.{node.attr}" not in PUBLIC_MODULES
        ):
            found.append(f"{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_there_are_recipes_to_check() -> None:
    assert len(RECIPES) >= 6


@pytest.mark.parametrize("recipe", RECIPES, ids=[path.name for path in RECIPES])
def test_a_recipe_imports_only_the_public_api(recipe: Path) -> None:
    assert private_uses(recipe.read_text()) == []


@pytest.mark.parametrize(
    ("source", "reported"),
    [
        ("from bmc_hub_core import hookimpl, ModuleContext", []),
        ("from bmc_hub_core.db import module_metadata\nimport bmc_hub_core.testing", []),
        ("import bmc_hub_core\nbmc_hub_core.hookimpl", []),
        ("from bmc_hub_core import hub", ["1: from bmc_hub_core import hub"]),
        (
            "from bmc_hub_core.context import EnabledSwitch",
            ["1: from bmc_hub_core.context import ..."],
        ),
        ("import bmc_hub_core.sessions", ["1: import bmc_hub_core.sessions"]),
        ("import bmc_hub_core as core\ncore.registry", ["2: core.registry"]),
        (
            "from bmc_hub_core.testing.databases import sqlite_url",
            ["1: from bmc_hub_core.testing.databases import ..."],
        ),
    ],
)
def test_the_check_tells_public_from_private(source: str, reported: list[str]) -> None:
    assert private_uses(source) == reported
