"""The OpenAPI document is an honest contract: Schemathesis against a real server.

A real ``bmc-hub serve`` with the example modules and a module made by ``bmc-hub modules
new`` (both switches off, so writes happen), on SQLite and on PostgreSQL. Schemathesis
runs every check (``contract/schemathesis.toml`` says which one is left out, and why) with
a fixed seed and a bounded number of examples: as an API client (an API token) over
everything, and as an admin over the read-only admin API.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .installs import pip_install_target
from .servers import BMC_HUB, serving

pytestmark = pytest.mark.slow

CONFIG = Path(__file__).parent / "contract" / "schemathesis.toml"
SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
MODULES = ("hello", "subscriptions", "invoice_scanner", "contract_demo")
API_TOKEN = "contract-api-token"
ADMIN_TOKEN = "contract-admin-token"


@pytest.fixture(scope="module")
def generated_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``bmc-hub modules new contract_demo``, really installed into a folder of its own."""
    work = tmp_path_factory.mktemp("generated")
    made = subprocess.run(
        [BMC_HUB, "modules", "new", "contract_demo", "--no-input", "--output-dir", str(work)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    return pip_install_target(work / "site", work / "bmc-hub-contract-demo")


def _schemathesis(
    work: Path, base: str, token: str, *options: str
) -> subprocess.CompletedProcess[str]:
    # Run in a fresh directory: Schemathesis keeps a cache (replayed crashes) in
    # ./.schemathesis, and an earlier run's findings must not steer this one.
    return subprocess.run(
        [
            SCHEMATHESIS,
            "--no-color",
            "--config-file",
            str(CONFIG),
            "run",
            f"{base}/api/openapi.json",
            "--seed",
            "1",
            "-H",
            f"Authorization: Bearer {token}",
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=work,
    )


def _failures(result: subprocess.CompletedProcess[str]) -> str:
    """Schemathesis' failure report (each failure with its curl reproduction)."""
    out = result.stdout
    start = out.find("FAILURES")
    return (out[start:] if start >= 0 else out[-6000:])[:12000] + result.stderr[-2000:]


def test_schemathesis_finds_nothing(
    hub_database_url: str, generated_module: Path, tmp_path: Path
) -> None:
    switches = {}
    for name in MODULES:
        switches[f"MODULES__{name.upper()}__READ_ONLY"] = "false"
        switches[f"MODULES__{name.upper()}__DRY_RUN"] = "false"
    env = {
        "PYTHONPATH": str(generated_module),
        "BMC_HUB_DATABASE_URL": hub_database_url,
        "BMC_HUB_MODULES": ",".join(MODULES),
        "BMC_HUB_ADMIN_TOKEN": ADMIN_TOKEN,
        "BMC_HUB_API_TOKENS": API_TOKEN,
        "BMC_HUB_STRICT": "true",
        **switches,
    }
    with serving(tmp_path, env) as server:
        client = _schemathesis(tmp_path, server.base, API_TOKEN)
        assert client.returncode == 0, _failures(client)
        # The admin API with the admin token, reading only: toggling modules in the
        # middle of the run would make every module answer "disabled" (declared, but
        # nothing left to test).
        admin = _schemathesis(
            tmp_path,
            server.base,
            ADMIN_TOKEN,
            "--include-path-regex",
            "^/api/v1/modules",
            "--include-method",
            "GET",
        )
        assert admin.returncode == 0, admin.stdout[-6000:] + server.output()[-3000:]
