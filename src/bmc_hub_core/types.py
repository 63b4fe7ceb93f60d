"""Small shared value types: states, stages, error records and health results."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal


class ModuleState(StrEnum):
    """Where a module is in its lifecycle (DESIGN §4)."""

    DISCOVERED = "discovered"
    NOT_ALLOWED = "not_allowed"
    MISSING = "missing"
    FAILED = "failed"
    INCOMPATIBLE = "incompatible"
    ENABLED = "enabled"
    DISABLED = "disabled"


class Stage(StrEnum):
    """The lifecycle stage at which a module failed."""

    DISCOVER = "discover"
    COMPAT = "compat"
    IMPORT = "import"
    SETTINGS = "settings"
    DEPENDENCY = "dependency"
    MIGRATE = "migrate"
    ROUTES = "routes"
    MIDDLEWARE = "middleware"
    JOBS = "jobs"
    STARTUP = "startup"


@dataclass(frozen=True)
class ErrorInfo:
    """Why a module is failed or incompatible: the JSON ``error`` of a module record."""

    stage: str
    type: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"stage": self.stage, "type": self.type, "message": self.message}


HealthStatus = Literal["ok", "failing", "timeout", "disabled", "unavailable", "not_loaded"]


@dataclass(frozen=True)
class HealthResult:
    """What a module's ``health`` hook may return (a ``bool`` or ``dict`` works too).

    ``ok`` says whether the module can do its job; ``detail`` is one human line;
    ``data`` carries anything else worth showing to an admin (JSON-serialisable).
    """

    ok: bool
    detail: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NavItem:
    """One entry of the hub's navigation bar, from ``register_navigation``.

    ``path`` is inside the module's page space: ``"/"`` is ``/NAME/``, ``"/import"`` is
    ``/NAME/import``. Entries are sorted by ``order``, then title.
    """

    title: str
    path: str = "/"
    order: int = 100


@dataclass(frozen=True)
class CustomerInfo:
    """The customer a ``customer_panel`` is asked about (the core's ``customers`` row)."""

    id: int
    name: str
    cvr: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class CustomerPanel:
    """What a module shows on a customer's page: a title, label/value rows (text, never
    HTML) and an optional link into the module's pages (``"/?customer_id=5"`` is
    ``/NAME/?customer_id=5``)."""

    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    link: str | None = None
    link_text: str = "Open"
