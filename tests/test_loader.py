"""Loader helpers: template folders and the hub_api range."""

from __future__ import annotations

import types

import pytest

from bmc_hub_core.loader import check_hub_api, template_loader


class Plugin:
    pass


def test_template_loader_finds_a_package_templates_folder() -> None:
    import bmc_hub_hello.module as hello

    loader = template_loader(hello)
    assert loader is not None
    assert "index.html" in loader.list_templates()


@pytest.mark.parametrize("module_name", ["__main__", "json.decoder", "no_such_package_x"])
def test_template_loader_is_none_without_a_package_folder(module_name: str) -> None:
    plugin = types.new_class("P", (), {})()
    type(plugin).__module__ = module_name
    assert template_loader(plugin) is None


@pytest.mark.parametrize(
    ("declared", "problem"),
    [
        (None, None),
        (1, None),
        (">=1,<2", None),
        ("==1", None),
        (">=2", "needs hub API >=2"),
        (2, "needs hub API 2"),
        ("one", "is not a version range"),
    ],
)
def test_hub_api_ranges(declared: object, problem: str | None) -> None:
    plugin = types.SimpleNamespace(hub_api=declared)
    message = check_hub_api(plugin)
    if problem is None:
        assert message is None
    else:
        assert message is not None and problem in message
