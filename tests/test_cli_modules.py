"""``bmc-hub modules list|show|check|freeze`` as a user runs them: a real process, real
installed distributions found through PYTHONPATH, exit codes and JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .installs import write_module_dist

BMC_HUB = str(Path(sys.executable).with_name("bmc-hub"))


def run(
    args: list[str], dists: Path, tmp_path: Path, **env: str
) -> subprocess.CompletedProcess[str]:
    full_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BMC_HUB_", "MODULES__"))
    }
    full_env.update(
        PYTHONPATH=str(dists),
        BMC_HUB_DATABASE_URL=f"sqlite:///{tmp_path / 'hub.db'}",
        COLUMNS="200",
    )
    full_env.update(env)
    return subprocess.run(
        [BMC_HUB, *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=tmp_path,
        timeout=120,
    )


def test_list_json_reports_every_installed_module_with_state(
    installed_dists: Path, tmp_path: Path
) -> None:
    result = run(
        ["modules", "list", "--json"],
        installed_dists,
        tmp_path,
        BMC_HUB_MODULES="goodmod,broken_import,ghost",
    )
    assert result.returncode == 0, result.stderr
    records = {r["name"]: r for r in json.loads(result.stdout)}
    assert records["goodmod"]["state"] == "enabled"
    assert records["goodmod"]["distribution"] == "bmc-hub-goodmod"
    assert records["goodmod"]["version"] == "1.0.0"
    assert records["goodmod"]["table_prefix"] == "goodmod_"
    assert records["goodmod"]["read_only"] is True and records["goodmod"]["dry_run"] is True
    assert records["broken_import"]["error"]["stage"] == "import"
    assert records["marker_mod"]["state"] == "not_allowed"
    assert records["ghost"]["state"] == "missing"
    assert records["dupmod"]["state"] == "failed"
    assert set(records["goodmod"]) >= {
        "name",
        "distribution",
        "version",
        "state",
        "error",
        "table_prefix",
        "read_only",
        "dry_run",
        "migration",
        "routes",
        "health",
    }


def test_list_never_imports_a_module_that_is_not_allowed(
    installed_dists: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "marker"
    result = run(
        ["modules", "list"],
        installed_dists,
        tmp_path,
        BMC_HUB_MODULES="goodmod",
        BMC_HUB_TEST_MARKER=str(marker),
    )
    assert result.returncode == 0, result.stderr
    assert "marker_mod" in result.stdout and "not_allowed" in result.stdout
    assert not marker.exists()
    # The same command with the module allowed does import it: the marker can appear.
    run(
        ["modules", "list"],
        installed_dists,
        tmp_path,
        BMC_HUB_MODULES="marker_mod",
        BMC_HUB_TEST_MARKER=str(marker),
    )
    assert marker.read_text() == "imported"


def test_show_prints_one_module_and_redacts_nothing_it_should_not_show(
    installed_dists: Path, tmp_path: Path
) -> None:
    result = run(
        ["modules", "show", "goodmod", "--json"],
        installed_dists,
        tmp_path,
        BMC_HUB_MODULES="goodmod",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["name"] == "goodmod" and data["state"] == "enabled"
    assert data["settings"] == {"read_only": True, "dry_run": True}


def test_show_unknown_module_is_a_usage_error(installed_dists: Path, tmp_path: Path) -> None:
    result = run(["modules", "show", "nope"], installed_dists, tmp_path)
    assert result.returncode == 2
    assert "no module named 'nope' is installed" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_passes_when_every_allowed_module_is_enabled(
    installed_dists: Path, tmp_path: Path
) -> None:
    result = run(
        ["modules", "check", "--json"], installed_dists, tmp_path, BMC_HUB_MODULES="goodmod,crm"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["ok"] is True


@pytest.mark.parametrize(
    ("allowed", "bad"),
    [
        ("goodmod,broken_import", "broken_import"),
        ("goodmod,ghost", "ghost"),
        ("oldcore", "oldcore"),
        ("dupmod", "dupmod"),
    ],
)
def test_check_fails_with_exit_1_when_an_allowed_module_is_not_enabled(
    installed_dists: Path, tmp_path: Path, allowed: str, bad: str
) -> None:
    result = run(["modules", "check", "--json"], installed_dists, tmp_path, BMC_HUB_MODULES=allowed)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert [p["name"] for p in data["problems"]] == [bad]


def test_check_human_output_names_the_failure(installed_dists: Path, tmp_path: Path) -> None:
    result = run(
        ["modules", "check"], installed_dists, tmp_path, BMC_HUB_MODULES="goodmod,broken_import"
    )
    assert result.returncode == 1
    assert "FAIL broken_import" in result.stdout
    assert "1 allowed module(s) are not enabled" in result.stdout


def test_freeze_pins_every_installed_module_distribution(
    installed_dists: Path, tmp_path: Path
) -> None:
    result = run(["modules", "freeze"], installed_dists, tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "bmc-hub-goodmod==1.0.0" in lines
    assert "bmc-hub-dup-a==1.0.0" in lines and "bmc-hub-dup-b==1.0.0" in lines
    assert lines == sorted(lines, key=str.lower)
    assert all("==" in line for line in lines)


def test_invalid_core_setting_is_one_line_and_exit_1(installed_dists: Path, tmp_path: Path) -> None:
    result = run(["modules", "list"], installed_dists, tmp_path, BMC_HUB_HEALTH_TIMEOUT="never")
    assert result.returncode == 1
    assert "BMC_HUB_HEALTH_TIMEOUT" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_command_is_exit_2(installed_dists: Path, tmp_path: Path) -> None:
    result = run(["modules", "frobnicate"], installed_dists, tmp_path)
    assert result.returncode == 2


def test_list_explains_a_database_that_does_not_exist_yet_and_creates_none(
    installed_dists: Path, tmp_path: Path
) -> None:
    result = run(["modules", "list"], installed_dists, tmp_path, BMC_HUB_MODULES="goodmod")
    assert result.returncode == 0, result.stderr
    assert "does not exist yet (run `bmc-hub db upgrade`)" in result.stderr
    assert not (tmp_path / "hub.db").exists()


def test_list_works_when_the_database_is_unreachable(installed_dists: Path, tmp_path: Path) -> None:
    result = run(
        ["modules", "list", "--json"],
        installed_dists,
        tmp_path,
        BMC_HUB_MODULES="goodmod",
        BMC_HUB_DATABASE_URL="postgresql+psycopg2://postgres@127.0.0.1:1/none",
    )
    assert result.returncode == 0, result.stderr
    assert {r["name"]: r["state"] for r in json.loads(result.stdout)}["goodmod"] == "enabled"
    assert "Traceback" not in result.stderr


ROUTES_RETURN_A_STRING = """
from bmc_hub_core import hookimpl


@hookimpl
def register_routes():
    return "not a router"
"""

LONG_REVISION_ID = """
from pathlib import Path

from bmc_hub_core import hookimpl


@hookimpl
def register_migrations():
    return Path(__file__).parent / "versions"
"""

LONG_REVISION = """
revision = "longmig_" + "x" * 40
down_revision = None
branch_labels = ("longmig",)
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
"""


@pytest.fixture
def problem_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    write_module_dist(site, "badroutes", {"__init__.py": ROUTES_RETURN_A_STRING})
    write_module_dist(
        site,
        "longmig",
        {"__init__.py": LONG_REVISION_ID, "versions/longmig_0001.py": LONG_REVISION},
    )
    return site


@pytest.mark.parametrize("database", ["missing", "migrated"])
def test_check_finds_what_the_server_would_refuse(
    problem_site: Path, tmp_path: Path, database: str
) -> None:
    allowed = {"BMC_HUB_MODULES": "badroutes,longmig"}
    if database == "migrated":
        run(["db", "upgrade"], problem_site, tmp_path, **allowed)
    result = run(["modules", "check", "--json"], problem_site, tmp_path, **allowed)
    assert result.returncode == 1, result.stdout + result.stderr
    problems = {p["name"]: p["error"] for p in json.loads(result.stdout)["problems"]}
    assert problems["badroutes"]["stage"] == "routes"
    assert "register_routes must return a fastapi.APIRouter" in problems["badroutes"]["message"]
    assert problems["longmig"]["stage"] == "migrate"
    assert "the limit is 32" in problems["longmig"]["message"]
    assert (tmp_path / "hub.db").exists() is (database == "migrated")


GOOD_REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "tidy_0001"
down_revision = None
branch_labels = ("tidy",)
depends_on = None


def upgrade():
    op.create_table("tidy_items", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("tidy_items")
"""


def test_list_and_show_report_a_module_whose_routes_fail(problem_site: Path, tmp_path: Path):
    allowed = {"BMC_HUB_MODULES": "badroutes"}
    listed = run(["modules", "list", "--json"], problem_site, tmp_path, **allowed)
    record = {r["name"]: r for r in json.loads(listed.stdout)}["badroutes"]
    assert (record["state"], record["error"]["stage"]) == ("failed", "routes")
    shown = run(["modules", "show", "badroutes", "--json"], problem_site, tmp_path, **allowed)
    assert json.loads(shown.stdout)["state"] == "failed"


def test_check_fails_for_pending_migrations_when_auto_migrate_is_off(tmp_path: Path) -> None:
    site = write_module_dist(
        tmp_path / "site",
        "tidy",
        {"__init__.py": LONG_REVISION_ID, "versions/tidy_0001.py": GOOD_REVISION},
    )
    env = {"BMC_HUB_MODULES": "tidy"}
    run(["db", "upgrade", "--module", "tidy"], site, tmp_path, **env)
    (site / "bmc_hub_tidy" / "versions" / "tidy_0002.py").write_text(
        GOOD_REVISION.replace('"tidy_0001"', '"tidy_0002"')
        .replace("down_revision = None", 'down_revision = "tidy_0001"')
        .replace('("tidy",)', "None")
        .replace("tidy_items", "tidy_more")
    )
    automatic = run(["modules", "check", "--json"], site, tmp_path, **env)
    assert automatic.returncode == 0, automatic.stdout  # the server would migrate it
    manual = run(
        ["modules", "check", "--json"], site, tmp_path, BMC_HUB_AUTO_MIGRATE="false", **env
    )
    assert manual.returncode == 1
    problem = json.loads(manual.stdout)["problems"][0]
    assert problem["name"] == "tidy" and problem["error"]["stage"] == "migrate"
    assert "BMC_HUB_AUTO_MIGRATE is off" in problem["error"]["message"]


def test_check_warns_about_an_empty_allowlist_and_strict_makes_it_an_error(
    installed_dists: Path, tmp_path: Path
) -> None:
    relaxed = run(["modules", "check"], installed_dists, tmp_path)
    assert relaxed.returncode == 0, relaxed.stdout + relaxed.stderr
    assert "warning: BMC_HUB_MODULES is empty" in relaxed.stderr
    assert "set BMC_HUB_MODULES=" in relaxed.stderr
    strict = run(["modules", "check", "--strict"], installed_dists, tmp_path)
    assert strict.returncode == 1
    assert "FAIL BMC_HUB_MODULES is empty" in strict.stdout
    by_setting = run(["modules", "check"], installed_dists, tmp_path, BMC_HUB_STRICT="true")
    assert by_setting.returncode == 1


def test_check_names_settings_of_modules_that_are_not_installed_and_modules_not_allowed(
    installed_dists: Path, tmp_path: Path
) -> None:
    result = run(
        ["modules", "check", "--json"],
        installed_dists,
        tmp_path,
        BMC_HUB_MODULES="goodmod",
        MODULES__GODMOD__API_KEY="x",
    )
    warnings = json.loads(result.stdout)["warnings"]
    typo = [w for w in warnings if w.startswith("MODULES__GODMOD__API_KEY")]
    assert len(typo) == 1 and "did you mean MODULES__GOODMOD__API_KEY?" in typo[0]
    assert any(w.startswith("installed but not in BMC_HUB_MODULES") for w in warnings)
    assert "x" not in typo[0].split("(")[0].split("names")[1]  # the value is never shown


def test_check_json_lists_installed_modules_the_core_does_not_satisfy(
    installed_dists: Path, tmp_path: Path
) -> None:
    result = run(["modules", "check", "--json"], installed_dists, tmp_path, BMC_HUB_MODULES="")
    incompatible = {i["name"]: i for i in json.loads(result.stdout)["incompatible"]}
    assert "oldcore" in incompatible
    assert "requires bmc-hub-core<0.1" in incompatible["oldcore"]["problem"]
