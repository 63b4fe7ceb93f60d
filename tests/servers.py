"""Real ``bmc-hub serve`` processes for tests that need more than one process or a browser.

Output goes to a file (a pipe nobody reads would fill up with access logs and block the
server); it is shown when the server does not come up.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

BMC_HUB = str(Path(sys.executable).with_name("bmc-hub"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**values: str) -> dict[str, str]:
    """This environment without any hub or module setting, plus ``values``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BMC_HUB_", "MODULES__"))}
    env.update(values)
    return env


class Server:
    def __init__(self, process: subprocess.Popen[bytes], base: str, log: Path) -> None:
        self.process = process
        self.base = base
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_up(self, timeout: float = 40.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"bmc-hub serve exited early:\n{self.output()}")
            try:
                if httpx.get(self.base + "/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        pytest.fail(f"bmc-hub serve did not come up within {timeout}s:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@contextmanager
def serving(
    folder: Path,
    env: dict[str, str],
    *,
    workers: int = 1,
    wait: bool = True,
    args: tuple[str, ...] = (),
) -> Iterator[Server]:
    """``bmc-hub serve ARGS`` on a free loopback port with ``env`` (plus a clean
    environment)."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / f"serve-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [BMC_HUB, "serve", "--port", str(port), "--workers", str(workers), *args],
            env=clean_env(**env),
            cwd=folder,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        if wait:
            server.wait_until_up()
        yield server
    finally:
        server.stop()
