"""CI must fail, not skip, when PostgreSQL is unreachable; a local run skips with the reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
def test_uses_the_database(hub_database_url):
    assert hub_database_url
"""


def run_probe(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    probe = ROOT / "tests" / f"test_zz_probe_{os.getpid()}.py"
    probe.write_text(PROBE)
    try:
        full_env = {k: v for k, v in os.environ.items() if k != "BMC_HUB_REQUIRE_POSTGRES"}
        full_env.update(env)
        return subprocess.run(
            [sys.executable, "-m", "pytest", str(probe), "-q", "-p", "no:randomly", "-rsf"],
            cwd=ROOT,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        probe.unlink()


UNREACHABLE = "postgresql+psycopg2://postgres@127.0.0.1:1/test"


def test_unreachable_postgres_is_skipped_locally_with_the_reason(tmp_path: Path) -> None:
    result = run_probe(tmp_path, BMC_HUB_TEST_POSTGRES_URL=UNREACHABLE)
    assert result.returncode == 0, result.stdout
    assert "1 passed, 1 skipped" in result.stdout
    assert (
        "PostgreSQL at postgresql+psycopg2://postgres@127.0.0.1:1/test is unreachable"
        in result.stdout
    )


def test_unreachable_postgres_fails_in_ci(tmp_path: Path) -> None:
    result = run_probe(
        tmp_path, BMC_HUB_TEST_POSTGRES_URL=UNREACHABLE, BMC_HUB_REQUIRE_POSTGRES="1"
    )
    assert result.returncode == 1, result.stdout
    assert "1 passed, 1 error" in result.stdout
    assert "(BMC_HUB_REQUIRE_POSTGRES=1)" in result.stdout
