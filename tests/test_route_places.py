"""route_places reads full paths and methods the way FastAPI's own route contexts give
them, without building those contexts."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, WebSocket
from fastapi.routing import iter_route_contexts
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, Host, Route
from starlette.staticfiles import StaticFiles

from bmc_hub_core.route_places import RoutePlace, places


def module_router(tmp: str) -> APIRouter:
    router = APIRouter()

    @router.get("")
    def root() -> str:
        return "root"

    @router.api_route("/items/{item_id}", methods=["GET", "PUT", "DELETE"])
    def item(item_id: int) -> int:
        return item_id

    @router.websocket("/live")
    async def live(websocket: WebSocket) -> None:
        await websocket.close()

    router.mount("/files", StaticFiles(directory=tmp), name="files")
    router.routes.append(Route("/plain", lambda request: PlainTextResponse("x")))

    inner = APIRouter(prefix="/inner")

    @inner.post("/deep/{x}")
    def deep(x: str) -> str:
        return x

    deeper = APIRouter()

    @deeper.get("/deeper")
    def deepest() -> str:
        return "deepest"

    inner.include_router(deeper, prefix="/more")
    router.include_router(inner, prefix="/sub")
    return router


def seen(found: list[RoutePlace] | None) -> list[tuple[int, str | None, frozenset[str]]]:
    assert found is not None
    return sorted((id(p.original_route), p.path, frozenset(p.methods or ())) for p in found)


def test_places_match_fastapis_route_contexts(tmp_path: object) -> None:
    app = FastAPI()
    app.include_router(module_router(str(tmp_path)), prefix="/api/v1/shop")
    included = app.router.routes[-1:]
    expected = sorted(
        (id(c.original_route), c.path, frozenset(c.methods or ()))
        for c in iter_route_contexts(included)
    )
    assert seen(places(included)) == expected
    paths = {p.path for p in places(included) or []}
    assert {"/api/v1/shop", "/api/v1/shop/files", "/api/v1/shop/sub/inner/more/deeper"} <= paths


def test_a_host_route_has_no_path() -> None:
    router = APIRouter()
    router.routes.append(Host("example.org", app=PlainTextResponse("x")))
    app = FastAPI()
    app.include_router(router, prefix="/api/v1/shop")
    [place] = places(app.router.routes[-1:]) or []
    assert isinstance(place.original_route, Host) and place.path is None


def test_an_unknown_kind_of_route_asks_fastapi_instead() -> None:
    class Odd(BaseRoute):
        pass

    assert places([Odd()]) is None
