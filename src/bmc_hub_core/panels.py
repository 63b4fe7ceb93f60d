"""The modules' panels on a customer's page (``customer_panel``), asked all at once.

Every enabled module that implements the hook is asked concurrently through
:meth:`Hub.acall` (isolated, within ``BMC_HUB_HOOK_TIMEOUT``), so the page waits for the
slowest module at most, never for their sum. A module that raises, runs out of time or
answers with something that is not a :class:`~bmc_hub_core.CustomerPanel` gets an
"unavailable" panel (the reason goes to the log, not to the page); the rest of the page
is shown as usual.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .calling import Outcome
from .navigation import href_of, serving
from .types import CustomerInfo, CustomerPanel

if TYPE_CHECKING:
    from .hub import Hub

log = logging.getLogger(__name__)

#: More rows than this is a report, not a panel: the rest are left out.
MAX_ROWS = 20
#: A longer value is cut (with an ellipsis) so one module cannot flood the page.
MAX_TEXT = 300


@dataclass(frozen=True)
class PanelView:
    """One panel as the page shows it: text only (escaped by the template)."""

    module: str
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    link: str | None = None
    link_text: str = "Open"
    available: bool = True


def _text(value: object) -> str:
    text = str(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _view(name: str, panel: CustomerPanel) -> PanelView:
    """The panel as shown; ValueError when its parts are not what the hook promises."""
    if not isinstance(panel.title, str) or not panel.title.strip():
        raise ValueError("title must be a non-empty string")
    if not isinstance(panel.rows, list | tuple):
        raise ValueError(f"rows must be a list of (label, value) pairs, got {panel.rows!r:.80}")
    rows: list[tuple[str, str]] = []
    for row in panel.rows[:MAX_ROWS]:
        if not isinstance(row, list | tuple) or len(row) != 2:
            raise ValueError(f"a row must be a (label, value) pair, got {row!r:.80}")
        rows.append((_text(row[0]), _text(row[1])))
    link = None
    if panel.link is not None:
        link = href_of(name, panel.link) if isinstance(panel.link, str) else None
        if link is None:
            raise ValueError(f"link {panel.link!r:.80} must start with '/' and stay in /{name}")
    link_text = panel.link_text if isinstance(panel.link_text, str) else "Open"
    return PanelView(name, _text(panel.title), rows, link, _text(link_text or "Open"))


def _unavailable(name: str) -> PanelView:
    return PanelView(name, name, available=False)


def _result(hub: Hub, name: str, outcome: Outcome | None) -> PanelView | None:
    """What to show for one module's answer; None for nothing (no hook, or no panel)."""
    if outcome is None:
        return None
    if outcome.error is not None:
        kind = "timed out" if outcome.timed_out else f"raised {type(outcome.error).__name__}"
        record = hub.registry.get(name)
        reason = record.mask(str(outcome.error)) if record else type(outcome.error).__name__
        log.warning("module '%s': customer_panel %s: %s", name, kind, reason)
        return _unavailable(name)
    if outcome.value is None:
        return None
    if not isinstance(outcome.value, CustomerPanel):
        log.warning(
            "module '%s': customer_panel must return a CustomerPanel or None; got %s",
            name,
            type(outcome.value).__name__,
        )
        return _unavailable(name)
    try:
        return _view(name, outcome.value)
    except ValueError as exc:
        log.warning("module '%s': customer_panel returned a bad panel: %s", name, exc)
        return _unavailable(name)


async def collect(hub: Hub, customer: CustomerInfo) -> list[PanelView]:
    """The panels of every enabled module for ``customer``, in module name order."""
    names = [record.name for record in hub.registry.loaded() if serving(hub.registry, record)]
    names.sort()
    outcomes = await asyncio.gather(
        *(hub.acall("customer_panel", name, customer=customer) for name in names)
    )
    views = (_result(hub, name, outcome) for name, outcome in zip(names, outcomes, strict=True))
    return [view for view in views if view is not None]
