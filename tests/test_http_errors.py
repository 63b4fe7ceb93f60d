"""Bad requests get short JSON errors: body limits, 422 excerpts, bounded ids, NUL, dates."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter
from pydantic import BaseModel

from bmc_hub_core.http_errors import EXCERPT_CHARS, excerpt

from .fakes import fake_module


class Upload(BaseModel):
    name: str


def upload_routes() -> APIRouter:
    router = APIRouter()

    @router.post("/small")
    def small(item: Upload) -> dict[str, int]:
        return {"length": len(item.name)}

    @router.post("/big", max_body_size=3_000_000)  # FastAPI's own per-route limit
    def big(item: Upload) -> dict[str, int]:
        return {"length": len(item.name)}

    return router


def _body(size: int) -> bytes:
    return json.dumps({"name": "x" * size}).encode()


@pytest.fixture
def uploads(hub_client: Any) -> Any:
    return hub_client(
        modules={"uploads": fake_module("uploads", register_routes=upload_routes)},
        env={"MODULES__UPLOADS__READ_ONLY": "false", "MODULES__UPLOADS__DRY_RUN": "false"},
        max_body_bytes=1_000_000,
    )


def test_a_body_over_the_limit_is_413_json_before_it_is_read(uploads: Any) -> None:
    for path in ("/api/v1/uploads/small", "/api/v1/customers"):
        answer = uploads.post(path, content=_body(2_000_000), headers=JSON)
        assert answer.status_code == 413, path
        assert answer.headers["content-type"] == "application/json"
        assert "BMC_HUB_MAX_BODY_BYTES" in answer.json()["detail"]


def test_a_streamed_body_is_cut_off_at_the_limit(uploads: Any) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(30):
            yield b"x" * 100_000

    answer = uploads.post("/api/v1/customers", content=chunks(), headers=JSON)
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/json"


def test_a_route_can_raise_the_limit_for_itself(uploads: Any) -> None:
    answer = uploads.post("/api/v1/uploads/big", content=_body(2_000_000), headers=JSON)
    assert answer.status_code == 200
    assert answer.json() == {"length": 2_000_000}
    assert (
        uploads.post("/api/v1/uploads/big", content=_body(4_000_000), headers=JSON).status_code
        == 413
    )


JSON = {"content-type": "application/json"}


def test_a_422_never_echoes_more_than_an_excerpt(uploads: Any) -> None:
    body = json.dumps({"name": 5, "padding": "y" * 500_000}).encode()
    answer = uploads.post("/api/v1/uploads/small", content=body, headers=JSON)
    assert answer.status_code == 422
    assert len(answer.content) < 1000
    wrong_type = uploads.post("/api/v1/uploads/small", json={"name": ["z" * 500_000]})
    assert wrong_type.status_code == 422
    assert len(wrong_type.content) < 1000
    assert "characters in all" in wrong_type.text
    not_json = uploads.post("/api/v1/uploads/small", content=b"z" * 500_000, headers=JSON)
    assert not_json.status_code == 422
    assert len(not_json.content) < 1000


def test_excerpts_keep_short_values_and_cut_long_ones() -> None:
    assert excerpt(5) == 5
    assert excerpt({"a": 1}) == {"a": 1}
    long = excerpt({"a": "b" * 1000})
    assert isinstance(long, str) and len(long) < EXCERPT_CHARS + 40
    assert long.startswith('{"a": "bbb')
    assert excerpt(b"\xff" * 1000).endswith("(1000 bytes in all)")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/customers/99999999999999999999",
        "/api/v1/customers/2147483648",
        "/api/v1/customers/0",
        "/api/v1/customers?offset=9223372036854775808",
        "/api/v1/customers?offset=1000000001",
    ],
)
def test_ids_and_offsets_out_of_range_are_422_not_500(hub_client: Any, path: str) -> None:
    client = hub_client()
    assert client.get(path).status_code == 422
    assert client.put(path.split("?")[0], json={"name": "x"}).status_code in (405, 422)


def test_nul_characters_are_refused_with_422(hub_client: Any) -> None:
    client = hub_client()
    answer = client.post("/api/v1/customers", json={"name": "evil\u0000name"})
    assert answer.status_code == 422
    assert (
        client.post("/api/v1/customers", json={"name": "ok", "email": "a\u0000@b.dk"}).status_code
        == 422
    )
    assert client.get("/api/v1/customers").json() == []


def test_datetimes_are_timezone_aware_utc(hub_client: Any) -> None:
    client = hub_client()
    created = client.post("/api/v1/customers", json={"name": "Ada"}).json()
    assert created["created_at"].endswith("+00:00") or created["created_at"].endswith("Z")
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["Customer"]
    assert schema["properties"]["created_at"]["format"] == "date-time"


def test_405_lists_every_method_of_the_path(hub_client: Any) -> None:
    client = hub_client()
    answer = client.request("PATCH", "/api/v1/customers/1")
    assert answer.status_code == 405
    assert set(answer.headers["allow"].split(", ")) == {"GET", "PUT", "DELETE"}
    assert client.request("DELETE", "/api/v1/customers").headers["allow"] == "GET, POST"
