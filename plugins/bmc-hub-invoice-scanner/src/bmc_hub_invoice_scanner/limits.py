"""The upload size limit: refuse a too-large request before its body is read to the end.

The upload routers raise the hub's request limit (``BMC_HUB_MAX_BODY_BYTES``) to this
module's own with FastAPI's ``max_body_size`` (:func:`body_limit`), and use this route
class to answer in the module's words (an HTML page for the views): a declared
``Content-Length`` over the limit is answered at once, and a body sent without one
(chunked) is counted as it arrives and cut off when it passes the limit. Inside the
limit, :func:`read_upload` checks the file's own size exactly.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, BinaryIO

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute
from starlette.types import Message

from .errors import UnreadableDocument

#: Room for the multipart envelope (boundaries, part headers) around the file itself.
MULTIPART_SLACK = 16 * 1024

TooLarge = Callable[[Request, str], Awaitable[Response]]


def too_large_message(max_bytes: int) -> str:
    return (
        f"the file is larger than the upload limit of {describe_size(max_bytes)}; "
        "send a smaller file, or raise MODULES__INVOICE_SCANNER__MAX_UPLOAD_BYTES"
    )


def describe_size(size: int) -> str:
    """``10485760`` → ``"10 MiB"``, ``1500`` → ``"1500 bytes"``."""
    for unit, factor in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} bytes"


def _declared_length(request: Request) -> int | None:
    try:
        return int(request.headers["content-length"])
    except (KeyError, ValueError):
        return None


def body_limit(max_bytes: int) -> int:
    """The request size that carries one ``max_bytes`` file (for ``max_body_size=``)."""
    return max_bytes + MULTIPART_SLACK


def upload_route(max_bytes: int, on_too_large: TooLarge | None = None) -> type[APIRoute]:
    """An ``APIRoute`` class whose requests may carry at most one ``max_bytes`` file.

    ``on_too_large(request, message)`` builds the answer (an HTML page for the views);
    without it the answer is the hub's JSON 413 ``{"detail": message}``.
    """
    limit = body_limit(max_bytes)
    message = too_large_message(max_bytes)

    class UploadRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def limited(request: Request) -> Response:
                declared = _declared_length(request)
                received = 0

                async def counting_receive() -> Message:
                    nonlocal received
                    if declared is not None and declared > limit:
                        raise HTTPException(413, message)
                    event = await request.receive()
                    received += len(event.get("body", b""))
                    if received > limit:
                        raise HTTPException(413, message)
                    return event

                try:
                    return await handler(Request(request.scope, counting_receive))
                except HTTPException as exc:
                    if exc.status_code != 413 or on_too_large is None:
                        raise
                    return await on_too_large(request, message)

            return limited

    return UploadRoute


def read_upload(file: BinaryIO, max_bytes: int) -> bytes:
    """The uploaded file's bytes; :class:`UnreadableDocument` (413) past ``max_bytes``."""
    data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UnreadableDocument(too_large_message(max_bytes), status=413)
    return data
