"""A throw-away virtual environment layered on the one running the tests.

Module authors run ``pip install -e ./bmc-hub-NAME``, ``pytest`` and ``bmc-hub serve``.
The authoring tests and the benchmark do exactly that, in a scratch venv whose
``site-packages`` also sees the test environment's packages (the core, pytest, hatchling),
so nothing is downloaded and the shared environment never gains a module.

``pip``, ``pytest`` and ``bmc-hub`` on the scratch ``PATH`` are small wrappers: ``pip``
is the test environment's pip pointed at the scratch interpreter (``pip --python``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import sysconfig
import time
import venv
from pathlib import Path

import httpx

SCRIPTS = {
    "pip": f'exec "{sys.executable}" -m pip --python "{{python}}" "$@"\n',
    "pytest": 'exec "{python}" -m pytest "$@"\n',
    "bmc-hub": 'exec "{python}" -c "import sys; from bmc_hub_core.cli import main; '
    'sys.exit(main())" "$@"\n',
}


class ScratchEnv:
    """A venv in ``root`` that layers on ``sys.executable``'s environment."""

    def __init__(self, root: Path) -> None:
        self.root = root
        venv.EnvBuilder(with_pip=False).create(root)
        self.bin = root / "bin"
        self.python = self.bin / "python"
        own_site = subprocess.run(
            [str(self.python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        parent_site = sysconfig.get_paths()["purelib"]
        # addsitedir (not a bare path) so the parent's own .pth files (editable core) apply.
        Path(own_site, "_bmc_hub_parent_env.pth").write_text(
            f"import site; site.addsitedir({parent_site!r})\n"
        )
        for name, body in SCRIPTS.items():
            script = self.bin / name
            script.write_text("#!/bin/sh\n" + body.format(python=self.python))
            script.chmod(0o755)

    def env(self, *, offline: bool = True, **extra: str) -> dict[str, str]:
        """Environment for commands run "inside" the scratch venv.

        ``offline``: pip neither resolves dependencies nor isolates builds (everything
        needed is in the layered environment); off, pip behaves as for any user.
        """
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("BMC_HUB_", "MODULES__", "PYTEST_", "PYTHON"))
        }
        env.update(
            PATH=f"{self.bin}{os.pathsep}{env.get('PATH', '')}",
            VIRTUAL_ENV=str(self.root),
            PIP_NO_INPUT="1",
            PIP_DISABLE_PIP_VERSION_CHECK="1",
            COLUMNS="200",
        )
        if offline:
            # pip's historical inversion: "0" here means --no-build-isolation.
            env.update(PIP_NO_DEPS="1", PIP_NO_BUILD_ISOLATION="0")
        env.update(extra)
        return env

    def run(
        self,
        args: list[str],
        cwd: Path,
        timeout: float = 180,
        *,
        offline: bool = True,
        **extra: str,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``args`` (e.g. ``["pip", "install", "-e", "."]``) inside the scratch venv."""
        return subprocess.run(
            args,
            cwd=cwd,
            env=self.env(offline=offline, **extra),
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(url: str, process: subprocess.Popen[str], timeout: float = 60) -> float:
    """Poll ``url`` until it answers 200; return the seconds waited."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise RuntimeError(f"server exited with {process.returncode}:\n{output}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return time.monotonic() - start
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def stop(process: subprocess.Popen[str]) -> str:
    """Stop a server started with ``Popen`` and return what it printed."""
    process.terminate()
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output or ""
