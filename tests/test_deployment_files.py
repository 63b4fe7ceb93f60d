"""The deployment files, checked without a container engine.

docker-compose.yml is read by a Compose implementation: ``podman-compose config`` needs
the podman binary but no running engine. Without the two the Compose tests skip locally
and fail in CI (``BMC_HUB_REQUIRE_COMPOSE=1``). Every ``bmc-hub`` command line in
docker-compose.yml and the Dockerfile is parsed by the real CLI; the pinned sets in
requirements/ are checked against every pyproject.toml; dev.py is imported (it runs
nothing at import) to check the address it prints.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import typer
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bmc_hub_core.cli.main import app
from bmc_hub_core.settings import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
CADDYFILE = ROOT / "deploy" / "Caddyfile"
REQUIREMENTS = ROOT / "requirements"
LOCK, CONSTRAINTS, BUILD_LOCK = (
    REQUIREMENTS / f for f in ("hub.txt", "constraints.txt", "build.txt")
)
SETTINGS = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
#: pyproject.toml of the core and of every example module, by distribution name.
PROJECTS = {
    project["project"]["name"]: project
    for project in (
        tomllib.loads(path.read_text())
        for path in [ROOT / "pyproject.toml", *sorted(ROOT.glob("plugins/*/pyproject.toml"))]
    )
}
LOCAL = {canonicalize_name(name) for name in PROJECTS}
#: The image's platform, for environment markers.
IMAGE_PLATFORM = {
    "python_version": "3.11",
    "python_full_version": "3.11.0",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "os_name": "posix",
}


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


# --- requirements/: the pinned sets -------------------------------------------------------


def pins(path: Path) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) of a requirements file whose every line pins ``==``."""
    found = {}
    for line in re.sub(r"\\\n", " ", path.read_text()).splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        requirement, *options = line.split()
        parsed = Requirement(requirement)
        (specifier,) = parsed.specifier
        assert specifier.operator == "==", f"{path.name}: {line} is not pinned with =="
        assert all(o.startswith("--hash=sha256:") for o in options), f"{path.name}: {line}"
        found[canonicalize_name(parsed.name)] = (specifier.version, options)
    return found


def test_locks_name_the_tool_and_command_that_made_them() -> None:
    for path in (LOCK, CONSTRAINTS, BUILD_LOCK):
        header = path.read_text().splitlines()[:2]
        assert header == [
            "# This file was autogenerated by uv via the following command:",
            "#    sh requirements/compile.sh",
        ], path.name


@pytest.mark.parametrize("lock", [LOCK, BUILD_LOCK], ids=lambda p: p.name)
def test_every_pinned_package_has_a_hash(lock: Path) -> None:
    pinned = pins(lock)
    assert pinned
    assert not [name for name, (_, hashes) in pinned.items() if not hashes]


def test_constraints_pin_the_same_versions_as_the_lock_without_hashes() -> None:
    constraints = pins(CONSTRAINTS)
    assert {name: version for name, (version, _) in constraints.items()} == {
        name: version for name, (version, _) in pins(LOCK).items()
    }
    assert not any(hashes for _, hashes in constraints.values())
    assert "[" not in CONSTRAINTS.read_text()  # pip refuses extras in constraints


def _covered(requirement: Requirement, lock: Path, why: str) -> None:
    pinned = {name: version for name, (version, _) in pins(lock).items()}
    name = canonicalize_name(requirement.name)
    fix = f"add it to {lock.with_suffix('.in').name} and run sh requirements/compile.sh"
    assert name in pinned, f"{why} needs {requirement}, {lock.name} lacks it: {fix}"
    assert requirement.specifier.contains(pinned[name], prereleases=True), (
        f"{why} needs {requirement}, {lock.name} pins {pinned[name]}: {fix}"
    )


@pytest.mark.parametrize("project", sorted(PROJECTS))
def test_lock_covers_every_third_party_requirement_of(project: str) -> None:
    for line in PROJECTS[project]["project"].get("dependencies", []):
        requirement = Requirement(line)
        if canonicalize_name(requirement.name) in LOCAL:
            continue
        if requirement.marker and not requirement.marker.evaluate(IMAGE_PLATFORM):
            continue
        _covered(requirement, LOCK, project)
        # An extra's own requirements (uvicorn[standard]: uvloop, httptools, ...).
        for extra in requirement.extras:
            for needed in map(Requirement, importlib.metadata.requires(requirement.name) or []):
                marker = needed.marker
                if (
                    marker
                    and marker.evaluate({**IMAGE_PLATFORM, "extra": extra})
                    and not marker.evaluate({**IMAGE_PLATFORM, "extra": ""})
                ):
                    _covered(needed, LOCK, f"{project} ({requirement.name}[{extra}])")


def test_lock_covers_the_input_file() -> None:
    for line in (REQUIREMENTS / "hub.in").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            _covered(Requirement(line), LOCK, "requirements/hub.in")


@pytest.mark.parametrize("project", sorted(PROJECTS))
def test_build_lock_covers_the_build_backend_of(project: str) -> None:
    for line in PROJECTS[project]["build-system"]["requires"]:
        _covered(Requirement(line), BUILD_LOCK, f"{project} [build-system]")


# --- CI and dev.py ------------------------------------------------------------------------


def test_ci_script_requires_postgres_and_compose_and_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "BMC_HUB_REQUIRE_POSTGRES=1" in ci
    assert "pg_ctlcluster" in ci
    assert "BMC_HUB_REQUIRE_COMPOSE=1" in ci
    assert re.search(r"apt-get install .* podman\b", ci)
    assert re.search(r"\.venv/bin/pip install .*podman-compose", ci)
    assert "python3 dev.py test" in ci
    assert "python3 dev.py test" in readme
    assert "python3 dev.py serve" in readme


@cache
def dev_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bmc_hub_dev_script", ROOT / "dev.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("args", "url"),
    [
        ([], "http://127.0.0.1:8000/"),
        (["--port", "9000"], "http://127.0.0.1:9000/"),
        (["--port=9000", "--reload"], "http://127.0.0.1:9000/"),
        (["--reload", "--host", "localhost", "--port=9001"], "http://localhost:9001/"),
        (["--port", "9000", "--port", "9002"], "http://127.0.0.1:9002/"),
        (["--host=0.0.0.0", "--port", "9000"], "http://127.0.0.1:9000/"),
        (["--host", "::"], "http://[::1]:8000/"),
        (["--host", "::1"], "http://[::1]:8000/"),
        (["--port", "soon"], None),
    ],
)
def test_dev_serve_prints_the_address_bmc_hub_serve_binds(args: list[str], url: str | None) -> None:
    dev = dev_script()
    assert dev.serve_url(args) == url
    if url:
        host, port = dev.bind_address(args)
        options = cli_params(["bmc-hub", "serve", *args])
        assert (options["host"], options["port"]) == (host, int(port))


def test_dev_install_progress_shows_one_line_per_package_and_the_total() -> None:
    progress = dev_script().PipProgress()
    pip_output = [
        f"Obtaining file://{ROOT}",
        f"Obtaining file://{ROOT}/plugins/bmc-hub-hello",
        "  Installing build dependencies: started",
        "Collecting alembic>=1.13 (from bmc-hub-core==0.1.0)",
        "  Downloading alembic-1.20.1-py3-none-any.whl (270 kB)",
        "Installing collected packages: alembic, bmc-hub-core, bmc-hub-hello",
        "Successfully installed alembic-1.20.1 bmc-hub-core-0.1.0 bmc-hub-hello-0.1.0",
    ]
    shown = [line for line in map(progress.line, pip_output) if line]
    assert shown == [
        "  [1] bmc-hub-core (this checkout, editable)",
        "  [2] plugins/bmc-hub-hello (editable)",
        "  [3] alembic>=1.13",
        "  installing 3 packages ...",
    ]
    assert progress.installed == 3
