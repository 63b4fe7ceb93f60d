"""BMC Hub Core: a FastAPI hub whose features are pip-installable modules.

The public API for module authors is what ``__all__`` lists; the test kit is
``bmc_hub_core.testing``. Names are imported on first use (PEP 562), so a module that
only needs ``hookimpl`` — and every ``bmc-hub`` command that needs no app — does not pay
for importing the whole web stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app
    from .context import ModuleContext
    from .db import module_metadata
    from .errors import BmcHubError, JobFailed, RetryLater
    from .exception_handlers import ExceptionHandlers
    from .fields import Offset, RowId, Text, UtcDateTime
    from .hookspecs import HUB_API_VERSION, hookimpl, hookspec
    from .jobs.declare import Job
    from .module_settings import ModuleSettings
    from .responses import ErrorDetail, error_responses
    from .settings import Settings, load_settings
    from .types import CustomerInfo, CustomerPanel, HealthResult, ModuleState, NavItem

_WHERE = {
    "create_app": ".app",
    "ModuleContext": ".context",
    "module_metadata": ".db",
    "BmcHubError": ".errors",
    "JobFailed": ".errors",
    "RetryLater": ".errors",
    "ExceptionHandlers": ".exception_handlers",
    "ErrorDetail": ".responses",
    "error_responses": ".responses",
    "Offset": ".fields",
    "RowId": ".fields",
    "Text": ".fields",
    "UtcDateTime": ".fields",
    "HUB_API_VERSION": ".hookspecs",
    "hookimpl": ".hookspecs",
    "hookspec": ".hookspecs",
    "Job": ".jobs.declare",
    "ModuleSettings": ".module_settings",
    "Settings": ".settings",
    "load_settings": ".settings",
    "CustomerInfo": ".types",
    "CustomerPanel": ".types",
    "HealthResult": ".types",
    "NavItem": ".types",
    "ModuleState": ".types",
}

__all__ = [
    "HUB_API_VERSION",
    "BmcHubError",
    "CustomerInfo",
    "CustomerPanel",
    "ErrorDetail",
    "ExceptionHandlers",
    "HealthResult",
    "Job",
    "JobFailed",
    "ModuleContext",
    "ModuleSettings",
    "ModuleState",
    "NavItem",
    "Offset",
    "RetryLater",
    "RowId",
    "Settings",
    "Text",
    "UtcDateTime",
    "create_app",
    "error_responses",
    "hookimpl",
    "hookspec",
    "load_settings",
    "module_metadata",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'bmc_hub_core' has no attribute {name!r}")
    value = getattr(importlib.import_module(where, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
