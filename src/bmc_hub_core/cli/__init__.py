"""The ``bmc-hub`` command line (Typer + Rich)."""

from __future__ import annotations

import sys

from .main import app, main

__all__ = ["app", "main"]

if __name__ == "__main__":  # pragma: no cover - `python -m bmc_hub_core.cli`
    sys.exit(main())
