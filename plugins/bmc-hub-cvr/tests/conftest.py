"""Fixtures of the cvr tests: a fake CVR registry on loopback, valid CVR numbers and a
writable hub pointed at the fake. Nothing here reaches the internet.

Test files do not import each other (pytest may run them next to other projects' tests):
what they share comes from the fixtures below.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bmc_hub_core.testing import module_env

NAME = "cvr"
API = f"/api/v1/{NAME}"
WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)
#: The registry request limit of the fast tests; the slow answer takes longer.
TIMEOUT = 0.5


def with_check_digit(first_seven: str) -> str | None:
    """The CVR number starting with ``first_seven``, or None when no digit makes the
    weighted sum divisible by 11."""
    total = sum(int(d) * w for d, w in zip(first_seven, WEIGHTS, strict=False))
    digit = -total % 11
    return f"{first_seven}{digit}" if digit <= 9 else None


def valid_numbers() -> Iterator[str]:
    for start in itertools.count(3_000_000):
        number = with_check_digit(str(start))
        if number is not None:
            yield number


@dataclass
class Seen:
    """One request the fake registry received."""

    path: str
    authorization: str | None


@dataclass
class FakeRegistry:
    """A CVR registry speaking the module's contract, with a switchable ``mode``:

    - ``ok``: the company from ``companies`` (200), or 404 for an unknown number;
    - ``slow``: like ``ok`` after ``delay`` seconds;
    - ``rate_limited``: 429 with ``Retry-After: retry_after`` (None: no header);
    - ``malformed``: 200 with a body that is not JSON;
    - ``missing_fields``: 200 with a company lacking ``name`` and ``status``;
    - ``other_company``: 200 with a company of another number;
    - ``status``: the status ``status_code`` with an empty body.

    ``ok_then_limit=N``: the first N answers are ``ok``, every later one is a 429.
    """

    url: str = ""
    mode: str = "ok"
    companies: dict[str, dict[str, Any]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    delay: float = 3.0
    retry_after: str | None = "30"
    status_code: int = 500
    ok_then_limit: int | None = None
    released: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, cvr: str, **values: Any) -> dict[str, Any]:
        company = {
            "cvr": cvr,
            "name": f"Firma {cvr} ApS",
            "address": "Strandvejen 1",
            "zipcode": "2900",
            "city": "Hellerup",
            "status": "active",
            **values,
        }
        self.companies[cvr] = company
        return company

    def requests_for(self, cvr: str) -> int:
        return sum(1 for seen in self.seen if seen.path.endswith(f"/{cvr}"))

    def answer(self, path: str, authorization: str | None) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            self.seen.append(Seen(path, authorization))
            count = len(self.seen)
        mode = self.mode
        if self.ok_then_limit is not None:
            mode = "ok" if count <= self.ok_then_limit else "rate_limited"
        cvr = path.rstrip("/").rsplit("/", 1)[-1]
        json_type = {"Content-Type": "application/json"}
        if mode == "slow":
            self.released.wait(self.delay)
            mode = "ok"
        if mode == "rate_limited":
            headers = {"Retry-After": self.retry_after} if self.retry_after is not None else {}
            return 429, headers, b'{"error": "too many requests"}'
        if mode == "malformed":
            return 200, json_type, b'{"cvr": "' + cvr.encode() + b'", "name": '
        if mode == "missing_fields":
            return 200, json_type, json.dumps({"cvr": cvr, "city": "Hellerup"}).encode()
        if mode == "other_company":
            return 200, json_type, json.dumps({**self._company(cvr), "cvr": "12345674"}).encode()
        if mode == "status":
            return self.status_code, {}, b""
        company = self.companies.get(cvr)
        if company is None:
            return 404, json_type, b'{"error": "not found"}'
        return 200, json_type, json.dumps(company).encode()

    def _company(self, cvr: str) -> dict[str, Any]:
        return self.companies.get(cvr) or {"cvr": cvr, "name": "X", "status": "active"}


def _handler(registry: FakeRegistry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, headers, body = registry.answer(self.path, self.headers.get("Authorization"))
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the module gave up waiting (the timeout tests)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output clean

    return Handler


@pytest.fixture
def registry() -> Iterator[FakeRegistry]:
    """A started fake registry on a free loopback port; stopped after the test."""
    fake = FakeRegistry()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/cvr"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield fake
    finally:
        fake.released.set()  # a slow answer still waiting ends now
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def closed_url() -> str:
    """A loopback URL where nothing listens: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/cvr"


@pytest.fixture
def numbers() -> Iterator[str]:
    """Valid CVR numbers (modulus 11), a new one each ``next(numbers)``."""
    return valid_numbers()


@pytest.fixture
def cvr_env(registry: FakeRegistry) -> Callable[..., dict[str, str]]:
    """``cvr_env(**settings)``: the module's variables, switches off, on the fake."""

    def env(**values: object) -> dict[str, str]:
        settings: dict[str, object] = {
            "read_only": False,
            "dry_run": False,
            "api_url": registry.url,
            "timeout_seconds": TIMEOUT,
            **values,
        }
        return module_env(NAME, **settings)

    return env


@pytest.fixture
def client(hub_client: Callable[..., Any], cvr_env: Callable[..., dict[str, str]]) -> Any:
    """A hub with the cvr module writable (READ_ONLY and DRY_RUN off) on the fake."""
    return hub_client(installed=[NAME], env=cvr_env())
