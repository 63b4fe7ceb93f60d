"""Log lines: one per event, text or JSON, with the module and the request id."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from bmc_hub_core.logs import MODULE, REQUEST_ID, logging_config

from .fakes import fake_module
from .servers import serving


def test_every_request_gets_an_id_echoed_and_one_log_line(hub_client: Any, caplog: Any) -> None:
    client = hub_client(modules={"quiet": fake_module("quiet")})
    caplog.set_level(logging.INFO, logger="bmc_hub.access")
    given = client.get("/api/v1/health", headers={"X-Request-ID": "trace-42"})
    assert given.headers["x-request-id"] == "trace-42"
    made = client.get("/api/v1/health", headers={"X-Request-ID": "bad id\nwith newline"})
    assert made.headers["x-request-id"] != "bad id\nwith newline"
    assert len(made.headers["x-request-id"]) == 32
    lines = [r for r in caplog.records if r.name == "bmc_hub.access"]
    assert [(r.method, r.path, r.status) for r in lines] == [  # type: ignore[attr-defined]
        ("GET", "/api/v1/health", 200),
        ("GET", "/api/v1/health", 200),
    ]
    assert all(r.duration_ms >= 0 for r in lines)  # type: ignore[attr-defined]


def _emit(log_format: str, logger: str, message: str) -> str:
    stream = io.StringIO()
    config = logging_config("INFO", log_format)
    config["handlers"]["stderr"]["stream"] = stream
    config["root"] = {"handlers": ["stderr"], "level": "INFO"}
    logging.config.dictConfig(config)
    try:
        logging.getLogger(logger).warning(message)
    finally:
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
        logging.getLogger().handlers.clear()
    return stream.getvalue()


def test_json_lines_carry_time_level_logger_module_and_request_id() -> None:
    request, module = REQUEST_ID.set("req-1"), MODULE.set("billing")
    try:
        line = _emit("json", "bmc_hub_core.gate", "something happened")
    finally:
        REQUEST_ID.reset(request)
        MODULE.reset(module)
    data = json.loads(line)
    assert data["message"] == "something happened"
    assert data["level"] == "WARNING" and data["logger"] == "bmc_hub_core.gate"
    assert data["module"] == "billing" and data["request_id"] == "req-1"
    assert data["time"]


def test_a_modules_own_logger_names_the_module_in_text_lines() -> None:
    line = _emit("text", "bmc_hub.modules.hello", "greeted")
    assert "WARNING" in line and "bmc_hub.modules.hello [hello ] greeted" in line
    assert line.count("\n") == 1


@pytest.mark.slow
def test_a_server_logs_json_lines_only(tmp_path: Path) -> None:
    env = {
        "BMC_HUB_DATABASE_URL": f"sqlite:///{tmp_path / 'hub.db'}",
        "BMC_HUB_MODULES": "hello,ghost",
        "BMC_HUB_LOG_FORMAT": "json",
    }
    with serving(tmp_path, env) as server:
        answer = httpx.get(server.base + "/api/v1/hello/", headers={"X-Request-ID": "abc-1"})
        assert answer.headers["x-request-id"] == "abc-1"
        deadline = time.monotonic() + 10
        while '"abc-1"' not in server.output() and time.monotonic() < deadline:
            time.sleep(0.05)  # the line is written just after the answer went out
        output = server.output()
    records = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert records, output
    request = next(r for r in records if r.get("request_id") == "abc-1")
    assert request["logger"] == "bmc_hub.access" and request["module"] == "hello"
    assert request["status"] == 200 and request["duration_ms"] >= 0
    assert any(r["logger"].startswith("uvicorn") for r in records)  # uvicorn's too
    missing = [r for r in records if "'ghost'" in r["message"]]
    assert len(missing) == 1  # each module problem once
