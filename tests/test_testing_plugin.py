"""``bmc_hub_core.testing`` as a module author meets it: a fresh pytest project with no
conftest, where the fixtures arrive through the ``pytest11`` entry point alone."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from bmc_hub_core.testing import ADMIN_TOKEN, module_env
from tests.conftest import require_postgres

pytest_plugins = ("pytester",)

INI = """
[pytest]
addopts = -p no:cacheprovider
filterwarnings =
    error
    ignore::DeprecationWarning:starlette.testclient
    ignore:.*httpx2.*
"""

#: An in-process module object and the tests a module author would write against it.
AUTHOR_TESTS = """
from fastapi import APIRouter
from bmc_hub_core import ModuleSettings, hookimpl
from bmc_hub_core.testing import ADMIN_TOKEN, module_env

EVENTS = []


class Settings(ModuleSettings):
    colour: str = "blue"


class Demo:
    @hookimpl
    def register_settings(self):
        return Settings

    @hookimpl
    def register_routes(self, module):
        router = APIRouter()

        @router.get("/colour")
        def colour():
            return {"colour": module.settings.colour}

        @router.post("/paint")
        def paint():
            return {"painted": True}

        return router

    @hookimpl
    def on_shutdown(self, module):
        EVENTS.append("shutdown")


def test_settings_default_to_a_fresh_sqlite_file(hub_settings, tmp_path):
    assert hub_settings.database_url == f"sqlite:///{tmp_path / 'hub.db'}"
    assert hub_settings.modules == ""


def test_hub_app_builds_an_app_without_starting_it(hub_app):
    app = hub_app(modules={"demo": Demo()})
    assert app.state.hub.registry.get("demo").state.value == "enabled"
    assert EVENTS == []


def test_hub_client_starts_the_app_with_module_env(hub_client):
    client = hub_client(modules={"demo": Demo()}, env=module_env("demo", colour="red"))
    assert client.get("/api/v1/demo/colour").json() == {"colour": "red"}


def test_env_is_undone_and_clients_were_shut_down(hub_client):
    import os

    assert "MODULES__DEMO__COLOUR" not in os.environ
    assert EVENTS == ["shutdown"]
    client = hub_client(modules={"demo": Demo()})
    assert client.get("/api/v1/demo/colour").json() == {"colour": "blue"}


def test_defaults_are_read_only_and_module_env_lifts_them(hub_client):
    client = hub_client(modules={"demo": Demo()})
    assert client.post("/api/v1/demo/paint").status_code == 403
    writable = hub_client(modules={"demo": Demo()}, env=module_env("demo", read_only=False))
    answer = writable.post("/api/v1/demo/paint")
    assert answer.json() == {"painted": True}
    assert answer.headers["X-BMC-Dry-Run"] == "true"


def test_admin_client_sends_the_admin_token(hub_admin_client, hub_client):
    admin = hub_admin_client(modules={"demo": Demo()})
    assert admin.headers["Authorization"] == f"Bearer {ADMIN_TOKEN}"
    names = [m["name"] for m in admin.get("/api/v1/modules").json()]
    assert "demo" in names
    assert hub_client(modules={"demo": Demo()}).get("/api/v1/modules").status_code == 401


def test_installed_modules_are_loaded_by_name(hub_client):
    client = hub_client(installed=["hello"])
    assert client.get("/api/v1/hello/").json() == {"message": "Hello, world"}
"""

DATABASE_PROBE = """
import json, pathlib

def test_records_its_database(hub_database_url, hub_client):
    hub_client()  # migrates the core into it
    pathlib.Path({out!r}).write_text(json.dumps(hub_database_url))
"""


def test_module_env_builds_prefixed_variables() -> None:
    assert module_env("invoice_ocr", read_only=False, dry_run=True, page_size=5) == {
        "MODULES__INVOICE_OCR__READ_ONLY": "false",
        "MODULES__INVOICE_OCR__DRY_RUN": "true",
        "MODULES__INVOICE_OCR__PAGE_SIZE": "5",
    }
    assert ADMIN_TOKEN


def test_fixtures_work_in_a_project_without_conftest(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BMC_HUB_TEST_DATABASE_URL", raising=False)
    pytester.makeini(INI)
    pytester.makepyfile(test_author=AUTHOR_TESTS)
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=7)


@pytest.mark.postgres
def test_database_env_gives_each_test_a_fresh_postgres_database_dropped_after(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    server = require_postgres()
    monkeypatch.setenv("BMC_HUB_TEST_DATABASE_URL", server)
    out = tmp_path / "url.json"
    pytester.makeini(INI)
    pytester.makepyfile(test_probe=DATABASE_PROBE.format(out=str(out)))
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)
    used = sa.engine.make_url(json.loads(out.read_text()))
    assert used.get_backend_name() == "postgresql"
    assert used.database and used.database.startswith("bmc_hub_test_")
    admin = sa.create_engine(server, poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        left = conn.execute(
            sa.text("SELECT count(*) FROM pg_database WHERE datname = :name"),
            {"name": used.database},
        ).scalar_one()
    admin.dispose()
    assert left == 0


NO_HUB_FIXTURES = """
import sys

def test_plain():
    # The plugin is loaded, but it has not pulled in the hub or FastAPI.
    assert "bmc_hub_core.testing" in sys.modules
    assert "bmc_hub_core.app" not in sys.modules and "fastapi" not in sys.modules

def test_wants_a_client(hub_client):
    hub_client()
"""


def test_the_plugin_costs_nothing_and_names_httpx_when_it_is_missing(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A project with pytest and bmc-hub-core but without httpx (a test-only dependency).
    blocked = pytester.mkdir("blocked")
    for name in ("httpx", "httpx2"):
        (blocked / f"{name}.py").write_text(f"raise ImportError('{name} is not installed')\n")
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(blocked), os.environ.get("PYTHONPATH", "")])
    )
    monkeypatch.delenv("BMC_HUB_TEST_DATABASE_URL", raising=False)
    pytester.makeini(INI)
    pytester.makepyfile(test_light=NO_HUB_FIXTURES)
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*hub_client needs httpx*pip install httpx*"])
    assert "Traceback" not in result.stdout.str()
