"""``bmc-hub serve``: a real uvicorn process serving the installed example module."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bmc_hub_core.cli.serve import reload_dirs

BMC_HUB = str(Path(sys.executable).with_name("bmc-hub"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BMC_HUB_", "MODULES__"))}
    env.update(BMC_HUB_MODULES="hello", BMC_HUB_DATABASE_URL=f"sqlite:///{tmp_path / 'hub.db'}")
    process = subprocess.Popen(
        [BMC_HUB, "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/api/v1/health", timeout=1)
            break
        except httpx.TransportError:
            if process.poll() is not None:
                pytest.fail(
                    f"serve exited early:\n{process.stdout.read() if process.stdout else ''}"
                )
            time.sleep(0.2)
    try:
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=20)


def test_serve_mounts_the_installed_module(served: str) -> None:
    assert httpx.get(served + "/api/v1/hello/").json() == {"message": "Hello, world"}
    page = httpx.get(served + "/hello/")
    assert page.status_code == 200 and "Hello, world" in page.text
    assert httpx.get(served + "/api/v1/hello/health").json()["status"] == "ok"
    schema = httpx.get(served + "/api/openapi.json").json()
    assert schema["paths"]["/api/v1/hello/greetings"]["get"]["tags"] == ["hello"]


def test_serve_refuses_invalid_settings_with_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "BMC_HUB_STATE_POLL_SECONDS": "-1"}
    result = subprocess.run(
        [BMC_HUB, "serve"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "BMC_HUB_STATE_POLL_SECONDS" in result.stderr
    assert "Traceback" not in result.stderr


def test_reload_watches_editable_module_sources() -> None:
    hello_source = Path(__file__).resolve().parents[1] / "plugins" / "bmc-hub-hello"
    dirs = reload_dirs({"hello"})
    assert str(hello_source) in dirs
    core_dir = str(Path(__file__).resolve().parents[1] / "src" / "bmc_hub_core")
    assert core_dir in dirs
    assert str(hello_source) not in reload_dirs({"someone_else"})


def test_serve_on_a_busy_port_is_one_line_before_anything_runs(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("BMC_HUB_")}
        env["BMC_HUB_DATABASE_URL"] = f"sqlite:///{tmp_path / 'hub.db'}"
        result = subprocess.run(
            [BMC_HUB, "serve", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}: address already in use" in result.stderr
    assert f"--port {port + 1}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "hub.db").exists()  # nothing migrated, not even created


def _processes_with(marker: str) -> list[int]:
    """Pids of this machine's processes whose environment holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc (Linux)")
def test_a_server_that_cannot_start_stops_its_job_worker_too(tmp_path: Path) -> None:
    marker = f"BMC_HUB_SERVE_TEST_MARKER_{os.getpid()}_{time.monotonic_ns()}=1"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BMC_HUB_", "MODULES__"))}
    env.update(
        dict([marker.split("=")]),
        # Strict mode with an allowed module that is not installed: the app refuses to start.
        BMC_HUB_MODULES="hello,not_installed_anywhere",
        BMC_HUB_STRICT="true",
        BMC_HUB_DATABASE_URL=f"sqlite:///{tmp_path / 'hub.db'}",
    )
    result = subprocess.run(
        [BMC_HUB, "serve", "--port", str(free_port()), "--with-worker"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "not_installed_anywhere" in result.stdout + result.stderr
    assert "starting a job worker" in result.stdout + result.stderr  # one was started
    assert _processes_with(marker.split("=")[0]) == []
