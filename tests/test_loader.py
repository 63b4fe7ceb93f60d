"""Loader helpers: template folders and the hub_api range."""

from __future__ import annotations

import types

import importlib_metadata as md
import pytest

from bmc_hub_core.discovery import Candidate
from bmc_hub_core.hub import Hub
from bmc_hub_core.loader import check_hub_api, template_folder
from bmc_hub_core.settings import Settings
from bmc_hub_core.types import ModuleState

from .records import assert_failed


class Plugin:
    pass


def test_template_folder_finds_a_package_templates_folder() -> None:
    import bmc_hub_hello.module as hello

    folder = template_folder(hello)
    assert folder is not None
    assert (folder / "index.html").is_file()


@pytest.mark.parametrize("module_name", ["__main__", "json.decoder", "no_such_package_x"])
def test_template_folder_is_none_without_a_package_folder(module_name: str) -> None:
    plugin = types.new_class("P", (), {})()
    type(plugin).__module__ = module_name
    assert template_folder(plugin) is None


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


# --- import guards, driven through real EntryPoint objects (no distribution needed) ---


class NotAnInstance:
    """An entry point must name a module or an instance, never a class."""


def candidate(name: str, value: str, requires: tuple[str, ...] = ()) -> list[Candidate]:
    entry_point = md.EntryPoint(name=name, value=value, group="bmc_hub.modules")
    return [Candidate(name, value, f"bmc-hub-{name}", "1.0", requires, entry_point)]


def build(tmp_path, found: dict[str, list[Candidate]]) -> Hub:  # type: ignore[no-untyped-def]
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=f"sqlite:///{tmp_path / 'hub.db'}", modules=",".join(found)
    )
    return Hub.build(settings, candidates=found)


def test_an_entry_point_naming_a_class_fails_at_import(tmp_path) -> None:  # type: ignore[no-untyped-def]
    hub = build(tmp_path, {"klass": candidate("klass", f"{__name__}:NotAnInstance")})
    assert_failed(hub, "klass", "import", "is a class; point it at a module or an instance")


def test_one_object_under_two_names_loads_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    hub = build(
        tmp_path, {"first": candidate("first", "json"), "second": candidate("second", "json")}
    )
    first = hub.registry.get("first")
    assert first is not None and first.state is ModuleState.ENABLED
    assert_failed(hub, "second", "import", "already registered")


def test_an_unparsable_requirement_is_logged_not_fatal(tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    hub = build(tmp_path, {"odd": candidate("odd", "json.decoder", ("not a requirement !!",))})
    assert hub.registry.get("odd").state is ModuleState.ENABLED  # type: ignore[union-attr]
    assert "ignoring unparsable requirement 'not a requirement !!'" in caplog.text
