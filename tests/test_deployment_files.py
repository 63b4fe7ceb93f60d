"""docker-compose.yml, the Dockerfile and .ci/run are validated as files (no Docker here)."""

from __future__ import annotations

from pathlib import Path

import yaml

from bmc_hub_core.settings import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_database_migration_step_and_hub() -> None:
    services = _compose()["services"]
    assert set(services) == {"db", "migrate", "hub"}
    assert services["migrate"]["command"] == ["bmc-hub", "db", "upgrade"]
    assert services["hub"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["hub"]["environment"]["BMC_HUB_AUTO_MIGRATE"] == "false"
    assert "/api/v1/health" in " ".join(services["hub"]["healthcheck"]["test"])


def test_compose_only_sets_settings_that_exist() -> None:
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    for service in ("migrate", "hub"):
        environment = _compose()["services"][service]["environment"]
        unknown = {key for key in environment if key.startswith(ENV_PREFIX)} - known
        assert not unknown, f"{service} sets unknown settings {unknown}"


def test_compose_database_url_points_at_the_db_service() -> None:
    url = _compose()["services"]["hub"]["environment"]["BMC_HUB_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg2://") and "@db:5432/" in url
    database = _compose()["services"]["db"]["environment"]
    assert database["POSTGRES_DB"] in url and database["POSTGRES_USER"] in url


def test_dockerfile_installs_the_core_and_serves() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir ." in text
    assert '"bmc-hub", "serve"' in text


def test_ci_script_requires_postgres_and_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "BMC_HUB_REQUIRE_POSTGRES=1" in ci
    assert "pg_ctlcluster" in ci
    assert "python3 dev.py test" in ci
    assert "python3 dev.py test" in readme
    assert "python3 dev.py serve" in readme
