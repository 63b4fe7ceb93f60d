"""The CI entry point and dev.py, the two commands of the README's Quick start.

dev.py is imported (it runs nothing at import) to check the address it prints against
what ``bmc-hub serve`` really binds.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from .test_deployment_files import cli_params

ROOT = Path(__file__).resolve().parents[1]


def test_ci_script_requires_postgres_and_compose_and_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "BMC_HUB_REQUIRE_POSTGRES=1" in ci
    assert "pg_ctlcluster" in ci
    assert "BMC_HUB_REQUIRE_COMPOSE=1" in ci
    assert re.search(r"apt-get install .* podman\b", ci)
    assert re.search(r"apt-get install .* wrk\b", ci)  # the benchmarks' smoke runs
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
