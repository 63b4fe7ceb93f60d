"""BMC Hub Core: a FastAPI hub whose features are pip-installable modules.

The public API for module authors is what ``__all__`` lists; the test kit is
``bmc_hub_core.testing``.
"""

from .app import create_app
from .context import ModuleContext
from .db import module_metadata
from .errors import BmcHubError
from .hookspecs import HUB_API_VERSION, hookimpl, hookspec
from .module_settings import ModuleSettings
from .settings import Settings, load_settings
from .types import HealthResult, ModuleState

__all__ = [
    "HUB_API_VERSION",
    "BmcHubError",
    "HealthResult",
    "ModuleContext",
    "ModuleSettings",
    "ModuleState",
    "Settings",
    "create_app",
    "hookimpl",
    "hookspec",
    "load_settings",
    "module_metadata",
]
