"""Configuration that is probably a mistake: said at start and by ``bmc-hub modules check``.

Nothing here stops the hub: each finding is one warning line naming the thing and the
fix. ``modules check --strict`` (and ``BMC_HUB_STRICT``) turns the empty allowlist into
an error, since a deploy with no module allowed is rarely what was meant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .hub import Hub
from .module_settings import unknown_modules
from .types import ModuleState


@dataclass
class Advice:
    warnings: list[str] = field(default_factory=list)
    #: Findings that are errors under strict mode.
    strict_errors: list[str] = field(default_factory=list)


def advise(hub: Hub) -> Advice:
    """What looks wrong in ``hub``'s configuration (reads the environment and ``.env``)."""
    advice = Advice()
    installed = {r.name for r in hub.registry if r.candidate is not None} | hub.inprocess
    advice.warnings.extend(unknown_modules(installed))
    not_allowed = sorted(r.name for r in hub.registry if r.state is ModuleState.NOT_ALLOWED)
    if not hub.settings.allowed_names and not_allowed:
        empty = (
            f"BMC_HUB_MODULES is empty, so none of the {len(not_allowed)} installed module(s) "
            f"is loaded ({', '.join(not_allowed)}); set BMC_HUB_MODULES={','.join(not_allowed)}"
        )
        advice.warnings.append(empty)
        advice.strict_errors.append(empty)
    elif not_allowed:
        advice.warnings.append(
            f"installed but not in BMC_HUB_MODULES (not loaded): {', '.join(not_allowed)}; "
            "add them to BMC_HUB_MODULES to use them, or uninstall them"
        )
    return advice
