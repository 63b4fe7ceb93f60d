"""A module whose import fails."""

import bmc_hub_this_package_does_not_exist  # noqa: F401
