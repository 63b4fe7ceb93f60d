"""Discovery and planning against really installed distributions (tests/dists)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bmc_hub_core.discovery import core_requirement_problem, scan
from bmc_hub_core.hub import Hub
from bmc_hub_core.settings import Settings
from bmc_hub_core.types import ModuleState

from .records import assert_failed


def _hub(url: str, modules: str) -> Hub:
    return Hub.build(Settings(_env_file=None, database_url=url, modules=modules))  # type: ignore[call-arg]


def test_scan_reads_metadata_of_installed_distributions(with_dists: Path) -> None:
    found = scan()
    good = found["goodmod"][0]
    assert (good.distribution, good.version, good.value) == (
        "bmc-hub-goodmod",
        "1.0.0",
        "bmc_hub_goodmod",
    )
    assert sorted(c.distribution for c in found["dupmod"]) == ["bmc-hub-dup-a", "bmc-hub-dup-b"]


def test_good_module_is_enabled_and_the_broken_one_fails_at_import(
    with_dists: Path, sqlite_only_url: str
) -> None:
    hub = _hub(sqlite_only_url, "goodmod,broken_import")
    good = hub.registry.get("goodmod")
    assert good is not None and good.state is ModuleState.ENABLED
    broken = assert_failed(hub, "broken_import", "import", "bmc_hub_this_package_does_not_exist")
    assert broken.error is not None and broken.error.type == "ModuleNotFoundError"


def test_not_allowed_modules_are_listed_but_never_imported(
    with_dists: Path, sqlite_only_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "imported"
    monkeypatch.setenv("BMC_HUB_TEST_MARKER", str(marker))
    hub = _hub(sqlite_only_url, "goodmod")
    record = hub.registry.get("marker_mod")
    assert record is not None and record.state is ModuleState.NOT_ALLOWED
    assert record.distribution == "bmc-hub-marker"
    assert not marker.exists()


def test_duplicate_entry_point_names_load_neither_and_name_both(
    with_dists: Path, sqlite_only_url: str
) -> None:
    hub = _hub(sqlite_only_url, "dupmod")
    record = assert_failed(
        hub, "dupmod", "discover", "duplicate", "bmc-hub-dup-a 1.0.0", "bmc-hub-dup-b 1.0.0"
    )
    assert record.plugin is None


def test_invalid_and_reserved_names_fail_at_discover(
    with_dists: Path, sqlite_only_url: str
) -> None:
    hub = _hub(sqlite_only_url, "*")
    assert_failed(hub, "Bad-Name", "discover", "is invalid")
    assert_failed(hub, "admin", "discover", "reserved by the core")


def test_prefix_overlap_refuses_the_longer_name_while_both_are_allowed(
    with_dists: Path, sqlite_only_url: str
) -> None:
    both = _hub(sqlite_only_url, "crm,crm_extra")
    crm, extra = both.registry.get("crm"), both.registry.get("crm_extra")
    assert crm is not None and crm.state is ModuleState.ENABLED
    assert extra is not None and extra.state is ModuleState.FAILED
    assert extra.error is not None and "overlaps module 'crm'" in extra.error.message
    alone = _hub(sqlite_only_url, "crm_extra")
    assert alone.registry.get("crm_extra").state is ModuleState.ENABLED  # type: ignore[union-attr]


def test_core_requirement_is_checked_before_import(with_dists: Path, sqlite_only_url: str) -> None:
    hub = _hub(sqlite_only_url, "oldcore")
    record = hub.registry.get("oldcore")
    # The module's code raises on import: reaching INCOMPATIBLE proves it never ran.
    assert record is not None and record.state is ModuleState.INCOMPATIBLE
    assert record.error is not None and "requires bmc-hub-core<0.1" in record.error.message


def test_core_requirement_problem_accepts_a_satisfied_range(with_dists: Path) -> None:
    good = scan()["goodmod"][0]
    assert core_requirement_problem(good, "0.1.0") is None
    assert core_requirement_problem(good, "0.0.9") is not None


def test_allowlisted_but_missing_is_reported_not_fatal(
    with_dists: Path, sqlite_only_url: str
) -> None:
    hub = _hub(sqlite_only_url, "goodmod,not_installed_mod")
    missing = hub.registry.get("not_installed_mod")
    assert missing is not None and missing.state is ModuleState.MISSING
    assert missing.error is not None and "not installed" in missing.error.message
    assert hub.registry.get("goodmod").state is ModuleState.ENABLED  # type: ignore[union-attr]


def test_dependencies_load_first_and_fail_with_their_dependency(
    with_dists: Path, sqlite_only_url: str
) -> None:
    hub = _hub(sqlite_only_url, "dep_user,dep_base")
    names = [r.name for r in hub.registry.loaded()]
    assert names.index("dep_base") < names.index("dep_user")
    assert hub.registry.get("dep_user").dependencies == ("dep_base",)  # type: ignore[union-attr]
    without_base = _hub(sqlite_only_url, "dep_user")
    user = without_base.registry.get("dep_user")
    assert user is not None and user.state is ModuleState.FAILED
    assert user.error is not None and user.error.stage == "dependency"
    assert "requires module 'dep_base', which is not_allowed" in user.error.message


def test_dependency_cycles_fail_every_member_showing_the_cycle(
    with_dists: Path, sqlite_only_url: str
) -> None:
    hub = _hub(sqlite_only_url, "cyc_a,cyc_b,goodmod")
    for name in ("cyc_a", "cyc_b"):
        record = hub.registry.get(name)
        assert record is not None and record.state is ModuleState.FAILED
        assert record.error is not None and "dependency cycle:" in record.error.message
    assert hub.registry.get("goodmod").state is ModuleState.ENABLED  # type: ignore[union-attr]


def test_star_allows_every_installed_module_with_a_warning(
    with_dists: Path, sqlite_only_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    hub = _hub(sqlite_only_url, "*")
    assert hub.registry.get("goodmod").state is ModuleState.ENABLED  # type: ignore[union-attr]
    assert "BMC_HUB_MODULES=* allows every installed module" in caplog.text
