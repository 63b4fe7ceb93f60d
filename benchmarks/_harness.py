"""What the process benchmarks share: module distributions written on the fly, a
database of their own, real server processes, ``wrk``, and the machine they ran on.

Not a benchmark itself (the leading underscore keeps ``nox -s benchmarks`` and
``tests/test_benchmarks_run.py`` from running it).
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

BIN = Path(sys.executable).parent
BMC_HUB = str(BIN / "bmc-hub")


def machine() -> str:
    """One line naming what the figures were measured on (for the printed table)."""
    return (
        f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d}"
    )


def write_module(site: Path, name: str, source: str, requires: tuple[str, ...] = ()) -> None:
    """A module distribution as pip leaves it: package ``bmc_hub_NAME`` (its
    ``__init__.py`` is ``source``) and a ``.dist-info`` with the entry point."""
    package = site / f"bmc_hub_{name}"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(source))
    info = site / f"bmc_hub_{name}-1.0.dist-info"
    info.mkdir()
    lines = [
        "Metadata-Version: 2.1",
        f"Name: bmc-hub-{name.replace('_', '-')}",
        "Version: 1.0",
        "Requires-Dist: bmc-hub-core>=0.1",
        *(f"Requires-Dist: {r}" for r in requires),
    ]
    (info / "METADATA").write_text("\n".join(lines) + "\n")
    (info / "entry_points.txt").write_text(f"[bmc_hub.modules]\n{name} = bmc_hub_{name}\n")
    (info / "RECORD").write_text("")


#: A module with three small API routes and nothing else (no settings, no tables).
TRIVIAL_MODULE = '''
"""A trivial module: three API routes."""
from fastapi import APIRouter
from pydantic import BaseModel

from bmc_hub_core import hookimpl

hub_api = ">=1,<2"


class Thing(BaseModel):
    id: int
    name: str


@hookimpl
def register_routes() -> APIRouter:
    router = APIRouter()

    @router.get("/", response_model=list[Thing])
    def list_things() -> list[Thing]:
        return [Thing(id=1, name="one")]

    @router.get("/{thing_id}", response_model=Thing)
    def get_thing(thing_id: int) -> Thing:
        return Thing(id=thing_id, name="one")

    @router.post("/", response_model=Thing, status_code=201)
    def add_thing(thing: Thing) -> Thing:
        return thing

    return router
'''


def write_trivial(site: Path, names: list[str], extra: str = "") -> None:
    """Trivial modules ``names``; ``extra`` is appended to each one's source."""
    for name in names:
        write_module(site, name, TRIVIAL_MODULE + textwrap.dedent(extra))


def clean_env(**values: str) -> dict[str, str]:
    """This environment without any hub or module setting, plus ``values``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BMC_HUB_", "MODULES__"))}
    env.update(values)
    return env


def postgres_server_option(parser: argparse.ArgumentParser) -> None:
    """``--database-url``: the PostgreSQL server a script makes its own database on
    (default: the test suite's, ``BMC_HUB_TEST_POSTGRES_URL``, else local)."""
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BMC_HUB_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
        ),
        help="a PostgreSQL server to create the run's database on",
    )


@contextmanager
def database(folder: Path, admin_url: str | None, label: str) -> Iterator[str]:
    """A URL for an empty database of this run's own: a SQLite file in ``folder``, or a
    uniquely named PostgreSQL database (dropped afterwards) on ``admin_url``'s server."""
    if not admin_url:
        yield f"sqlite:///{folder / label}.db"
        return
    name = f"bmc_hub_bench_{label}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def get(
    port: int, path: str, timeout: float = 5.0, headers: dict[str, str] | None = None
) -> Answer:
    """One GET on a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return Answer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        conn.close()


@dataclass
class Server:
    """A server process; its output (access log included) goes to a file, as a
    service's output goes to a journal, never to a pipe nobody reads."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path
    started: float

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait(self, path: str, timeout: float = 60.0, poll: float = 0.01) -> float:
        """Seconds from start until ``path`` answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise SystemExit(f"the server exited with {code}:\n{self.output()}")
            try:
                if get(self.port, path, timeout=timeout).status == 200:
                    return time.perf_counter() - self.started
            except OSError:
                pass
            time.sleep(poll)
        raise SystemExit(f"{path} did not answer 200 within {timeout:.0f} s:\n{self.output()}")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the process has used so far: per request, a figure a
        busy machine disturbs far less than requests per second."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS in /proc")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start(command: list[str], env: dict[str, str], folder: Path, label: str, port: int) -> Server:
    log = folder / f"{label}-{port}.log"
    with log.open("wb") as sink:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=folder, stdout=sink, stderr=sink)
    return Server(process, port, log, started)


def start_hub(env: dict[str, str], folder: Path, label: str = "hub") -> Server:
    """``bmc-hub serve`` (one worker, the hub's request log as shipped) on a free port."""
    port = free_port()
    return start([BMC_HUB, "serve", "--port", str(port)], env, folder, label, port)


@contextmanager
def running(server: Server, ready: str) -> Iterator[Server]:
    try:
        server.wait(ready)
        yield server
    finally:
        server.stop()


def ensure_wrk() -> str:
    """The ``wrk`` binary; installed with apt-get when missing and allowed, else a clear
    error."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("wrk is missing; installing it with apt-get", file=sys.stderr)
        install = ["apt-get", "install", "-y", "-q", "wrk"]
        if subprocess.run(install, check=False, capture_output=True).returncode != 0:
            # A fresh image has no package lists yet.
            subprocess.run(["apt-get", "update", "-q"], check=False, capture_output=True)
            subprocess.run(install, check=False, capture_output=True)
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit(
        "this benchmark needs the HTTP load generator wrk: install it "
        "(Debian/Ubuntu: sudo apt-get install wrk; macOS: brew install wrk) and rerun"
    )


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


#: A wrk script for a JSON POST (wrk's own Lua API).
POST_JSON = (
    'wrk.method = "POST"\nwrk.body = {body!r}\nwrk.headers["Content-Type"] = "application/json"\n'
)


def wrk(
    url: str,
    seconds: float,
    *,
    connections: int = 32,
    threads: int = 1,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
) -> WrkResult:
    """Run wrk once; every answer must be 2xx (wrk counts the others and so do we)."""
    command = [
        ensure_wrk(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        "30s",
    ]
    for key, value in (headers or {}).items():
        command += ["-H", f"{key}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    if "Non-2xx or 3xx responses" in out or "Socket errors" in out:
        raise SystemExit(f"wrk saw failed requests on {url}:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    # The latency distribution's lines ("     50%    1.23ms"), not "79.99%" in the stats.
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    return WrkResult(rate, p50, p99, total)


def median(values: list[float]) -> float:
    return statistics.median(values)


def timed_process(command: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        shown = " ".join(command)
        raise SystemExit(f"{shown} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return elapsed
