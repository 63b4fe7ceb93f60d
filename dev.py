#!/usr/bin/env python3
"""Developer entry point that needs nothing but Python 3.11.

    python3 dev.py serve [bmc-hub serve options]   # the hub with the example modules, on SQLite
    python3 dev.py test [pytest options]           # the whole test suite
    python3 dev.py lint                            # ruff + mypy

It creates ``.venv`` on first use and (re)installs the core and the example modules
whenever a ``pyproject.toml`` changed.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".bmc-hub-dev-stamp"
EXAMPLE_MODULES = sorted(
    p for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").is_file()
)


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for path in [ROOT / "pyproject.toml", *(p / "pyproject.toml" for p in EXAMPLE_MODULES)]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may be started by an older python3
        sys.exit("BMC Hub needs Python 3.11 or newer; run this script with python3.11")
    if not PYTHON.exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if STAMP.exists() and STAMP.read_text() == _fingerprint():
        return
    print("installing bmc-hub-core and the example modules into .venv ...", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    editables = [arg for p in EXAMPLE_MODULES for arg in ("-e", str(p))]
    subprocess.run([*pip, "-e", f"{ROOT}[dev]", *editables], check=True)
    STAMP.write_text(_fingerprint())


def serve(args: list[str]) -> int:
    env = dict(os.environ)
    names = [p.name.removeprefix("bmc-hub-").replace("-", "_") for p in EXAMPLE_MODULES]
    env.setdefault("BMC_HUB_MODULES", ",".join(names))
    if "BMC_HUB_ADMIN_TOKEN" not in env:
        env["BMC_HUB_ADMIN_TOKEN"] = secrets.token_urlsafe(24)
        print(f"admin token for this run (for /admin): {env['BMC_HUB_ADMIN_TOKEN']}", flush=True)
    print(f"serving modules {env['BMC_HUB_MODULES']} on http://127.0.0.1:8000/", flush=True)
    return subprocess.call([str(BIN / "bmc-hub"), "serve", *args], env=env, cwd=ROOT)


def test(args: list[str]) -> int:
    return subprocess.call([str(PYTHON), "-m", "pytest", *(args or ["tests", "plugins"])], cwd=ROOT)


def lint(_args: list[str]) -> int:
    checks = [
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "ruff"), "format", "--check", "."],
        [str(BIN / "mypy")],
    ]
    return max(subprocess.call(cmd, cwd=ROOT) for cmd in checks)


COMMANDS = {"serve": serve, "test": test, "lint": lint}


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        return 2
    ensure_environment()
    return COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
