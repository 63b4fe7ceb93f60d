"""module.http: integrations under the module's switches, against a real local server."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bmc_hub_core.outbound import OutboundRefused, async_client, client


class Recorder(BaseHTTPRequestHandler):
    received: list[tuple[str, str, str]] = []

    def _answer(self) -> None:
        Recorder.received.append((self.command, self.path, self.headers.get("User-Agent", "")))
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def remote() -> Iterator[str]:
    Recorder.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_dry_run_sends_reads_and_stands_in_for_writes(remote: str, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="bmc_hub.modules.crm")
    with client("crm", "1.2", read_only=False, dry_run=True) as http:
        assert http.get(remote + "/companies/1").json() == {"ok": True}
        answer = http.post(remote + "/companies", json={"name": "x"})
    assert answer.status_code == 200
    assert answer.json() == {"dry_run": True, "method": "POST", "url": remote + "/companies"}
    assert answer.headers["x-bmc-dry-run"] == "true"
    assert [r[:2] for r in Recorder.received] == [("GET", "/companies/1")]  # POST never sent
    assert Recorder.received[0][2] == "bmc-hub-module-crm/1.2"
    assert "dry run: POST" in caplog.text


def test_read_only_refuses_writes_and_live_sends_them(remote: str) -> None:
    with client("crm", "1", read_only=True, dry_run=True) as http:
        with pytest.raises(OutboundRefused, match="module 'crm' is read-only: DELETE"):
            http.delete(remote + "/companies/1")
        assert http.get(remote + "/x").status_code == 200
    with client("crm", "1", read_only=False, dry_run=False) as http:
        assert http.put(remote + "/companies/1", json={}).json() == {"ok": True}
    assert [r[0] for r in Recorder.received] == ["GET", "PUT"]


def test_the_async_client_follows_the_same_switches(remote: str) -> None:
    async def scenario() -> tuple[int, list[str]]:
        async with async_client("crm", "1", read_only=False, dry_run=True) as http:
            answer = await http.patch(remote + "/companies/1", json={})
            await http.get(remote + "/companies/1")
        return answer.status_code, [r[0] for r in Recorder.received]

    status, methods = asyncio.run(scenario())
    assert status == 200 and methods == ["GET"]


def test_the_module_context_hands_out_its_own_client(hub_client: Any, remote: str) -> None:
    from .fakes import fake_module

    client_app = hub_client(modules={"crm": fake_module("crm")})
    context = client_app.app.state.hub.registry.get("crm").context
    assert context.http is context.http  # one client per module
    with pytest.raises(OutboundRefused):  # both switches are on by default: READ_ONLY wins
        context.http.post(remote + "/x")
    assert Recorder.received == []
