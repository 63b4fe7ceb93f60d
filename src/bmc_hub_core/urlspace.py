"""Who owns a URL path: the one function the gate and the route checks both ask.

Module NAME owns exactly ``/api/v1/NAME``, ``/api/v1/NAME/...``, ``/NAME`` and
``/NAME/...``. A route is accepted for a module only if :func:`owner` of its full path
is that module, and the gate answers for a path by asking :func:`owner` too, so the two
cannot disagree about where a module's URL space ends.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

API_PREFIX = "/api/v1"
_API_SLASH = API_PREFIX + "/"
#: The core's health route answers these; any other method there is the module's.
HEALTH_METHODS = frozenset({"GET", "HEAD"})


def app_path(scope: MutableMapping[str, Any]) -> str:
    """A request's path inside the app: behind ``--root-path /hub`` the ASGI path starts
    with ``/hub``, which must not be read as a module name."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and (path == root or path.startswith(root + "/")):
        return path[len(root) :] or "/"
    return path


def owner(path: str) -> str | None:
    """The first segment that names a module for ``path`` (None for the root).

    ``/api/v1/crm/x`` and ``/crm/x`` → ``crm``; ``/api/v1`` and ``/`` → None. A segment
    is only a candidate name: it owns nothing unless a module of that name exists.
    """
    if path.startswith(_API_SLASH):
        segment = path[len(_API_SLASH) :].partition("/")[0]
    elif path == API_PREFIX:
        return None
    else:
        segment = path[1:].partition("/")[0]
    return segment or None


def is_core_health(path: str) -> bool:
    """Is ``path`` exactly ``/api/v1/NAME/health`` (the core's per-module health route)?"""
    if not path.endswith("/health") or not path.startswith(_API_SLASH):
        return False
    rest = path[len(_API_SLASH) :]
    segment, _, tail = rest.partition("/")
    return bool(segment) and tail == "health"


def api_prefix(name: str) -> str:
    return f"{API_PREFIX}/{name}"


def view_prefix(name: str) -> str:
    return f"/{name}"


def outside(name: str, path: str) -> bool:
    """True when ``path`` (a route's full path) is not in module ``name``'s URL space."""
    return owner(path) != name
