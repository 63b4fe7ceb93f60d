"""The hook contract: every hook typed, documented, rendered into docs, and tested."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from bmc_hub_core import hookdoc, hookspecs

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("When:", "Parameters:", "Returns:", "Raising", "Since:")


def _specs() -> list[str]:
    return [
        name
        for name, value in vars(hookspecs).items()
        if inspect.isfunction(value) and hasattr(value, "bmc_hub_spec")
    ]


def test_hook_names_lists_every_spec() -> None:
    assert sorted(_specs()) == sorted(hookspecs.HOOK_NAMES)
    assert len(hookspecs.HOOK_NAMES) == 13


@pytest.mark.parametrize("name", hookspecs.HOOK_NAMES)
def test_every_hook_is_typed_and_fully_documented(name: str) -> None:
    function = getattr(hookspecs, name)
    signature = inspect.signature(function)
    # Every hook gets the module's context first; a few get what they are about too.
    extra = {"customer_panel": ["customer"]}.get(name, [])
    assert list(signature.parameters) == ["module", *extra]
    assert signature.parameters["module"].annotation == "ModuleContext"
    assert signature.return_annotation is not inspect.Signature.empty
    doc = inspect.getdoc(function) or ""
    for section in SECTIONS:
        assert section in doc, f"{name} docstring lacks {section!r}"


@pytest.mark.parametrize("name", hookspecs.HOOK_NAMES)
def test_every_hook_is_exercised_by_a_test(name: str) -> None:
    # A hook nobody's test implements is a contract nobody checks.
    used = any(
        f"{name}=" in path.read_text() or f"def {name}(" in path.read_text()
        for path in (ROOT / "tests").rglob("test_*.py")
        if path.name != "test_hookspecs.py"
    )
    assert used, f"no test implements the {name} hook"


def test_docs_hook_reference_is_rendered_from_the_docstrings() -> None:
    assert (ROOT / "docs" / "hooks.md").read_text() == hookdoc.render(), (
        "docs/hooks.md is stale: run `python -m bmc_hub_core.hookdoc > docs/hooks.md`"
    )


def test_markers_use_the_project_name() -> None:
    assert hookspecs.hookimpl.project_name == "bmc_hub"
    assert hookspecs.HUB_API_VERSION == 1
