"""``python -m bmc_hub_core.cli``: the same as ``bmc-hub``."""

import sys

from . import main

sys.exit(main())
