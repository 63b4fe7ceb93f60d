"""The navigation bar's module entries: asked once per app, filtered by state per request.

``register_navigation`` is called once for every loaded module while the app is built
(:meth:`Navigation.collect`); the answers are checked and kept. At request time
:meth:`Navigation.links` keeps only the modules that are enabled right now — the state the
gate serves — so a module an admin disables leaves the bar on the next page, on every
worker, without asking any module again.

A hook that raises or returns something else than ``NavItem``s costs the module its entry,
never its pages: the problem is logged and added to the module's warnings (admin API,
``bmc-hub modules show``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .types import ModuleState, NavItem

if TYPE_CHECKING:
    from .hub import Hub
    from .registry import ModuleRecord, Registry

log = logging.getLogger(__name__)

#: A title longer than this would break the bar; the item is refused, not cut.
MAX_TITLE = 40


@dataclass(frozen=True)
class NavLink:
    """One entry of the bar: a module's page."""

    module: str
    title: str
    href: str
    order: int = 100


@dataclass
class ModuleNav:
    """What the hub shows of one loaded module: its entries and a one-line description."""

    name: str
    links: list[NavLink] = field(default_factory=list)
    description: str | None = None


def serving(registry: Registry, record: ModuleRecord | None) -> bool:
    """Is the gate serving this module's pages right now (enabled, dependencies enabled)?"""
    return (
        record is not None
        and record.state is ModuleState.ENABLED
        and registry.blocking_dependency(record) is None
    )


def href_of(name: str, path: str) -> str | None:
    """``/NAME`` + ``path``, or None when ``path`` would leave the module's page space."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    if any(segment in (".", "..") for segment in path.split("?")[0].split("/")):
        return None
    return f"/{name}{path}"


def _check(name: str, value: object) -> tuple[list[NavLink], list[str]]:
    """The links ``value`` (a hook's answer) stands for, and what is wrong with it."""
    if value is None:
        return [], []
    items = value if isinstance(value, list | tuple) else [value]
    links: list[NavLink] = []
    problems: list[str] = []
    for item in items:
        if not isinstance(item, NavItem):
            problems.append(
                "register_navigation must return a NavItem, a list of them, or None; "
                f"got {type(item).__name__}"
            )
            continue
        href = href_of(name, item.path) if isinstance(item.path, str) else None
        title = item.title.strip() if isinstance(item.title, str) else ""
        if href is None:
            problems.append(
                f"register_navigation: path {item.path!r} must start with '/' and stay "
                f"inside /{name}"
            )
        elif not title or len(title) > MAX_TITLE or not isinstance(item.order, int):
            problems.append(
                f"register_navigation: {item.title!r} needs a title of 1-{MAX_TITLE} "
                "characters and an integer order"
            )
        else:
            links.append(NavLink(name, title, href, item.order))
    return links, problems


def _description(record: ModuleRecord) -> str | None:
    """The distribution's one-line summary (``description`` in its pyproject), as read
    from its metadata at discovery."""
    return record.candidate.summary if record.candidate is not None else None


class Navigation:
    """Every loaded module's entries, collected once; filtered per request."""

    def __init__(self, modules: dict[str, ModuleNav]) -> None:
        self.modules = modules

    @classmethod
    def collect(cls, hub: Hub) -> Navigation:
        """Ask each loaded module's ``register_navigation`` (isolated, time-boxed)."""
        modules: dict[str, ModuleNav] = {}
        for record in hub.registry.loaded():
            entry = modules[record.name] = ModuleNav(record.name, [], _description(record))
            outcome = hub.call("register_navigation", record.name)
            if outcome is None:
                continue
            if outcome.error is not None:
                problems = [
                    f"register_navigation failed ({type(outcome.error).__name__}: "
                    f"{record.mask(str(outcome.error))}); the module has no navigation entry"
                ]
            else:
                entry.links, problems = _check(record.name, outcome.value)
            for problem in problems:
                log.warning("module '%s': %s", record.name, problem)
                record.warnings.append(problem)
        return cls(modules)

    def serving(self, hub: Hub) -> list[ModuleNav]:
        """The modules served right now, in name order."""
        return [
            module
            for name, module in sorted(self.modules.items())
            if serving(hub.registry, hub.registry.get(name))
        ]

    def links(self, hub: Hub) -> list[NavLink]:
        """The bar's module entries right now: enabled modules only, by order then title."""
        found = [link for module in self.serving(hub) for link in module.links]
        return sorted(found, key=lambda link: (link.order, link.title.casefold(), link.href))
