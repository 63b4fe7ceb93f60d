#!/usr/bin/env python3
"""Developer entry point that needs nothing but Python 3.11.

    python3 dev.py serve [bmc-hub serve options]   # the hub with the example modules, on SQLite
    python3 dev.py test [pytest options]           # the whole test suite
    python3 dev.py lint                            # ruff + mypy

It creates ``.venv`` on first use and (re)installs the core and the example modules
whenever a ``pyproject.toml`` changed, printing one line per package pip fetches.
Importing this file runs nothing (the tests import it).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys
import time
import venv
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".bmc-hub-dev-stamp"
EXAMPLE_MODULES = sorted(
    p for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").is_file()
)
#: ``--host`` values that bind every interface; a browser on this machine uses loopback.
WILDCARD_HOSTS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}
#: What the hub's settings read as false (BMC_HUB_AUTO_MIGRATE).
FALSE_VALUES = {"0", "off", "f", "false", "n", "no"}


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for path in [ROOT / "pyproject.toml", *(p / "pyproject.toml" for p in EXAMPLE_MODULES)]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _module_names() -> list[str]:
    return [p.name.removeprefix("bmc-hub-").replace("-", "_") for p in EXAMPLE_MODULES]


class PipProgress:
    """Condenses pip's output to one numbered line per package and a count at the end."""

    def __init__(self) -> None:
        self.count = 0
        self.installed = 0

    def line(self, text: str) -> str | None:
        """What to print for one line of pip's output, or None to hide it."""
        for prefix in ("Collecting ", "Processing ", "Obtaining "):
            if text.startswith(prefix):
                self.count += 1
                what = text[len(prefix) :].split(" (from ", 1)[0].strip()
                return f"  [{self.count}] {what if prefix == 'Collecting ' else _local(what)}"
        if text.startswith("Installing collected packages: "):
            return f"  installing {len(text.split(': ', 1)[1].split(', '))} packages ..."
        if text.startswith("Successfully installed "):
            self.installed = len(text.split()) - 2
        return None


def _local(location: str) -> str:
    """A local project or file pip reads: relative to this checkout when inside it."""
    path = Path(unquote(urlparse(location).path) if "://" in location else location).resolve()
    if path == ROOT:
        return "bmc-hub-core (this checkout, editable)"
    if path.is_relative_to(ROOT):
        return f"{path.relative_to(ROOT).as_posix()} (editable)"
    return path.name


def _pip_install(args: list[str]) -> None:
    """``pip install ARGS``, showing PipProgress; on failure pip's last output, then exit."""
    progress, output = PipProgress(), []
    started = time.monotonic()
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check"]
    # stderr (pip's warnings and errors) goes straight through; stdout is condensed.
    with subprocess.Popen(
        [*pip, "--progress-bar", "off", *args],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as process:
        for text in process.stdout or ():
            output.append(text)
            shown = progress.line(text.rstrip())
            if shown:
                print(shown, flush=True)
    if process.returncode:
        sys.stderr.writelines(output[-40:])
        sys.exit(f"pip failed (exit code {process.returncode}); its last output is above")
    seconds = time.monotonic() - started
    print(f"  installed {progress.installed} packages in {seconds:.0f} s", flush=True)


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may be started by an older python3
        sys.exit("BMC Hub needs Python 3.11 or newer; run this script with python3.11")
    if not PYTHON.exists():
        print("creating .venv (first run only) ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if STAMP.exists() and STAMP.read_text() == _fingerprint():
        return
    print(
        f"installing bmc-hub-core (with its test and lint tools) and {len(EXAMPLE_MODULES)} "
        f"example module(s) ({', '.join(_module_names())}) into .venv, one line per "
        "package; about a minute the first time ...",
        flush=True,
    )
    print("  upgrading pip ...", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    editables = [arg for p in EXAMPLE_MODULES for arg in ("-e", f"{p}[test]")]
    _pip_install(["-e", f"{ROOT}[dev]", *editables])
    STAMP.write_text(_fingerprint())


def bind_address(args: list[str]) -> tuple[str, str]:
    """The ``--host`` and ``--port`` that ``bmc-hub serve ARGS`` binds.

    Reads ``--port 9000`` and ``--port=9000``; the last one wins, as in the CLI.
    """
    values = {"--host": "127.0.0.1", "--port": "8000"}
    remaining = iter(args)
    for arg in remaining:
        if arg == "--":
            break
        name, equals, value = arg.partition("=")
        if name in values:
            values[name] = value if equals else next(remaining, "")
    return values["--host"], values["--port"]


def serve_url(args: list[str]) -> str | None:
    """The address to open for ``bmc-hub serve ARGS``, or None when the port is not a
    number (``bmc-hub serve`` then reports the usage error itself)."""
    host, port = bind_address(args)
    if not port.isdigit():
        return None
    shown = WILDCARD_HOSTS.get(host, host)
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


def serve(args: list[str]) -> int:
    env = dict(os.environ)
    env.setdefault("BMC_HUB_MODULES", ",".join(_module_names()))
    generated = "BMC_HUB_ADMIN_TOKEN" not in env
    if generated:
        env["BMC_HUB_ADMIN_TOKEN"] = secrets.token_urlsafe(24)
    migrates = env.get("BMC_HUB_AUTO_MIGRATE", "true").strip().lower() not in FALSE_VALUES
    first = ", migrating the database first" if migrates else ""
    print(f"starting the hub with modules {env['BMC_HUB_MODULES']}{first} ...", flush=True)
    url = serve_url(args)
    if url:
        host = bind_address(args)[0]
        every = " (bound to every interface)" if host in WILDCARD_HOSTS else ""
        print(f"  hub:   {url}{every}", flush=True)
        print(f"  admin: {url}admin", flush=True)
    if generated:
        print(f"  admin token for this run: {env['BMC_HUB_ADMIN_TOKEN']}", flush=True)
    print("  ready when uvicorn logs 'Application startup complete'; Ctrl+C stops it", flush=True)
    # A job worker runs next to the server, so the example modules' scheduled jobs run too.
    extra = [] if "--with-worker" in args or "--reload" in args else ["--with-worker"]
    return subprocess.call([str(BIN / "bmc-hub"), "serve", *extra, *args], env=env, cwd=ROOT)


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
