"""The deployment files, checked without a container engine.

docker-compose.yml is read by a Compose implementation: ``podman-compose config`` needs
the podman binary but no running engine. Without the two the Compose tests skip locally
and fail in CI (``BMC_HUB_REQUIRE_COMPOSE=1``). Every ``bmc-hub`` command line in
docker-compose.yml and the Dockerfile is parsed by the real CLI; the pinned sets in
requirements/ are checked in tests/test_requirements_locks.py, the CI script and dev.py
in tests/test_dev_and_ci.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from bmc_hub_core.cli.main import app
from bmc_hub_core.settings import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
CADDYFILE = ROOT / "deploy" / "Caddyfile"
SETTINGS = {ENV_PREFIX + name.upper() for name in Settings.model_fields}


# --- docker-compose.yml, as a Compose implementation reads it ---------------------------


def _podman_compose() -> str:
    """podman-compose (this venv or PATH) when podman is there too; else skip, or fail in CI."""
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    found = {tool: shutil.which(tool, path=search) for tool in ("podman-compose", "podman")}
    missing = [tool for tool, path in found.items() if path is None]
    if missing:
        message = (
            f"{' and '.join(missing)} not installed (pip install podman-compose; "
            "apt-get install podman): docker-compose.yml is not checked"
        )
        if os.environ.get("BMC_HUB_REQUIRE_COMPOSE") == "1":
            pytest.fail(message + " (BMC_HUB_REQUIRE_COMPOSE=1)")
        pytest.skip(message)
    return str(found["podman-compose"])


def compose_config(folder: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``podman-compose config`` with exactly ``env`` for interpolation: an empty env file
    instead of a developer's .env, and none of this shell's BMC_HUB_* or compose variables."""
    empty = folder / "empty.env"
    empty.write_text("")
    ours = ("POSTGRES_PASSWORD", "HUB_IMAGE", "HUB_HTTP_PORT")
    base = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX) and k not in ours}
    return subprocess.run(
        [_podman_compose(), "--env-file", str(empty), "-f", str(COMPOSE), "config"],
        env={**base, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def compose(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tokens = {"BMC_HUB_ADMIN_TOKEN": "admin-token", "BMC_HUB_API_TOKENS": "api-token"}
    result = compose_config(tmp_path_factory.mktemp("compose"), **tokens)
    assert result.returncode == 0, f"podman-compose config failed:\n{result.stderr}"
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return config


def test_compose_runs_the_database_a_migration_step_the_hub_a_worker_and_a_proxy(
    compose: dict[str, Any],
) -> None:
    assert compose["name"] == "bmc-hub"
    assert set(compose["services"]) == {"db", "migrate", "hub", "worker", "proxy"}


def test_the_jobs_worker_starts_after_the_migrations_and_never_publishes_a_port(
    compose: dict[str, Any],
) -> None:
    worker, hub = compose["services"]["worker"], compose["services"]["hub"]
    assert worker["command"][:2] == ["bmc-hub", "worker"]
    assert cli_params(worker["command"])["concurrency"] >= 1
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert worker["image"] == hub["image"] and "ports" not in worker
    assert "container_name" not in worker  # `--scale worker=N` needs generated names


def test_migrations_run_once_between_a_healthy_database_and_the_hub(
    compose: dict[str, Any],
) -> None:
    db, migrate, hub = (compose["services"][name] for name in ("db", "migrate", "hub"))
    assert db["image"] == "postgres:16-alpine"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(str(volume).startswith("pgdata:") for volume in db["volumes"])
    assert "pgdata" in compose["volumes"]
    assert migrate["command"] == ["bmc-hub", "db", "upgrade"]
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert hub["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert hub["environment"]["BMC_HUB_AUTO_MIGRATE"] == "false"
    assert "/api/v1/health" in " ".join(hub["healthcheck"]["test"])
    assert migrate["image"] == hub["image"] and migrate["build"] == hub["build"]


def test_hub_serves_the_example_modules_on_every_interface(compose: dict[str, Any]) -> None:
    hub = compose["services"]["hub"]
    options = cli_params(hub["command"])
    assert (options["host"], options["workers"]) == ("0.0.0.0", 2)
    assert hub["environment"]["BMC_HUB_MODULES"] == "hello,subscriptions,invoice_scanner"


def test_compose_refuses_to_start_without_the_tokens(tmp_path: Path) -> None:
    result = compose_config(tmp_path, BMC_HUB_API_TOKENS="api-token")
    assert result.returncode != 0
    assert "set BMC_HUB_ADMIN_TOKEN" in result.stderr


def test_only_the_proxy_publishes_a_host_port_so_the_hub_scales(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    publishing = {
        name: service["ports"] for name, service in services.items() if "ports" in service
    }
    assert list(publishing) == ["proxy"] and len(publishing["proxy"]) == 1
    assert "container_name" not in services["hub"]  # `--scale` needs generated names


def test_proxy_balances_over_every_hub_replica(compose: dict[str, Any]) -> None:
    proxy, hub = compose["services"]["proxy"], compose["services"]["hub"]
    mounts = {str(volume).split(":")[1]: str(volume).split(":")[0] for volume in proxy["volumes"]}
    assert (ROOT / mounts["/etc/caddy/Caddyfile"]).resolve() == CADDYFILE
    caddyfile = CADDYFILE.read_text()
    # `dynamic a` re-resolves the service name, which answers with every replica.
    port = cli_params(hub["command"])["port"]
    assert re.search(rf"^\s*dynamic a hub {port} \{{$", caddyfile, re.MULTILINE)
    assert re.search(r"^\s*refresh \d+s$", caddyfile, re.MULTILINE)
    listen = re.search(r"^:(\d+) \{$", caddyfile, re.MULTILINE)
    assert listen and str(proxy["ports"][0]).endswith(f":{listen[1]}")


def test_one_anchor_holds_the_settings_of_the_hub_and_the_migration_step(
    compose: dict[str, Any],
) -> None:
    anchor = set(yaml.safe_load(COMPOSE.read_text())["x-hub-environment"])
    for name in ("migrate", "hub", "worker"):
        environment = compose["services"][name]["environment"]
        assert {key for key in environment if key.startswith(ENV_PREFIX)} == anchor, name


def test_compose_database_url_points_at_the_db_service(compose: dict[str, Any]) -> None:
    url = compose["services"]["hub"]["environment"]["BMC_HUB_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg2://") and "@db:5432/" in url
    database = compose["services"]["db"]["environment"]
    assert database["POSTGRES_DB"] in url and database["POSTGRES_USER"] in url


@pytest.mark.parametrize("path", [COMPOSE, DOCKERFILE, CADDYFILE], ids=lambda p: p.name)
def test_deployment_files_only_name_settings_that_exist(path: Path) -> None:
    used = set(re.findall(r"\bBMC_HUB_[A-Z0-9_]+", path.read_text()))
    assert used <= SETTINGS, f"{path.name} names unknown settings {sorted(used - SETTINGS)}"


# --- bmc-hub command lines ----------------------------------------------------------------


def cli_params(argv: list[str]) -> dict[str, Any]:
    """Parse a ``bmc-hub ...`` command line with the real CLI, without running it.

    An unknown command fails the test here; an unknown option or a bad value raises the
    CLI's own usage error.
    """
    assert argv[0] == "bmc-hub", argv
    # Typer's click objects (Typer may carry its own copy of click: no isinstance here).
    command: Any = typer.main.get_command(app)
    args = list(argv[1:])
    while hasattr(command, "commands"):
        found = command.commands.get(args.pop(0) if args else "")
        assert found is not None, f"`{' '.join(argv)}`: no such bmc-hub command"
        command = found
    params: dict[str, Any] = command.make_context(" ".join(argv), args).params
    return params


# --- Dockerfile and .dockerignore ---------------------------------------------------------


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), comments dropped and continuation lines joined."""
    text = DOCKERFILE.read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\s*\\\n\s*", " ", "\n".join(lines))
    return [
        (name.upper(), args.strip())
        for name, _, args in (line.strip().partition(" ") for line in joined.splitlines())
        if name
    ]


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for name, args in _instructions():
        if name == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((name, args))
    return stages


def _runs(stage: list[tuple[str, str]]) -> str:
    return "\n".join(args for name, args in stage if name == "RUN")


def _command_lines() -> list[list[str]]:
    services = yaml.safe_load(COMPOSE.read_text())["services"].values()
    lines = [service["command"] for service in services if "command" in service]
    lines += [json.loads(args) for name, args in _instructions() if name == "CMD"]
    return [line for line in lines if line[0] == "bmc-hub"]


@pytest.mark.parametrize("argv", _command_lines(), ids=" ".join)
def test_every_bmc_hub_command_line_exists_in_the_cli(argv: list[str]) -> None:
    cli_params(argv)


def test_dockerfile_builds_wheels_in_one_stage_and_installs_them_in_a_slim_one() -> None:
    stages = _stages()
    assert len(stages) == 2 and stages[0][0][1].endswith(" AS builder")
    builder, runtime = _runs(stages[0]), _runs(stages[-1])
    assert "pip install --require-hashes --no-deps -r requirements/build.txt" in builder
    assert re.search(r"pip wheel --no-deps --no-build-isolation .* \. plugins/\*/$", builder, re.M)
    assert re.search(r"pip install --require-hashes --no-deps -r \S*hub\.txt", runtime)
    assert "source=requirements/hub.txt" in runtime
    assert re.search(r"from=builder\S* pip install --no-deps \S+\*\.whl && pip check", runtime)


def test_dockerfile_serves_as_an_unprivileged_user() -> None:
    runtime = _stages()[-1]
    users = [args for name, args in runtime if name == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert ("EXPOSE", "8000") in runtime
    command = json.loads(runtime[-1][1])
    assert runtime[-1][0] == "CMD" and command[:2] == ["bmc-hub", "serve"]
    assert cli_params(command)["host"] == "0.0.0.0" and cli_params(command)["port"] == 8000


@cache
def _ignore_patterns() -> list[re.Pattern[str]]:
    """.dockerignore as regular expressions: ``**`` any folders, ``*`` within one."""
    patterns = []
    for line in DOCKERIGNORE.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        assert not line.startswith("!"), "exceptions are not modelled by this test"
        parts = re.split(r"(\*\*/|\*\*|\*|\?|\[[^]]*\])", line.strip("/"))
        regex = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
        patterns.append(
            re.compile(
                "".join(regex.get(p, p if p.startswith("[") else re.escape(p)) for p in parts)
            )
        )
    return patterns


def left_out(path: str) -> bool:
    """Whether .dockerignore keeps ``path`` (or a folder above it) out of the context."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:end]) for end in range(1, len(parts) + 1)]
    return any(pattern.fullmatch(prefix) for pattern in _ignore_patterns() for prefix in prefixes)


def _context_sources() -> list[str]:
    """Paths the Dockerfile reads from the build context (COPY and bind mounts)."""
    sources = []
    for name, args in _instructions():
        if name == "COPY" and "--from" not in args:
            sources += [word for word in args.split()[:-1] if not word.startswith("--")]
        for mount in re.findall(r"--mount=type=bind,(\S+)", args):
            options = dict(option.split("=", 1) for option in mount.split(","))
            if "from" not in options:
                sources.append(options["source"])
    return sources


def test_dockerignore_keeps_everything_the_image_is_built_from() -> None:
    folders = [ROOT / "src", ROOT / "cookiecutter-bmc-module", *ROOT.glob("plugins/*/src")]
    files = [path for folder in folders for path in folder.rglob("*") if path.is_file()]
    files += [*ROOT.glob("plugins/*/pyproject.toml"), *ROOT.glob("plugins/*/README.md")]
    wheel_inputs = [
        path.relative_to(ROOT).as_posix()
        for path in files
        if "__pycache__" not in path.parts and not path.parent.name.endswith(".egg-info")
    ]
    sources = _context_sources() + wheel_inputs
    assert "requirements/hub.txt" in sources and "plugins" in sources
    for source in sources:
        assert (ROOT / source).exists(), f"the Dockerfile reads {source}, which does not exist"
        assert not left_out(source), f".dockerignore leaves out {source}"


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        ".git/HEAD",
        ".env",
        "bmc_hub.db",
        ".nox/tests/bin/python",
        "src/bmc_hub_core/__pycache__/app.cpython-311.pyc",
        "docs/images/admin.png",
        "tests/test_app.py",
        "plugins/bmc-hub-hello/tests/test_hello.py",
        ".pytest_cache/v",
    ],
)
def test_dockerignore_leaves_out_local_state_and_test_files(path: str) -> None:
    assert left_out(path)
