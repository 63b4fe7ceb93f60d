"""Refuse an invalid module name before any file of the project is written.

The module name becomes the URL segment, table prefix, Alembic branch, settings prefix
and entry-point name, so it must pass the hub's own rule (``bmc_hub_core.names``): the
template never keeps a copy of the rule that could drift from the core's.
"""

import json
import sys

# Rendered as JSON inside a raw string, so any answer (quotes included) parses.
NAME: str = json.loads(r""" {{ cookiecutter.module_name | tojson }} """)


def main() -> int:
    """Exit 0 when the name is valid, else print one line and exit 1."""
    try:
        from bmc_hub_core.errors import ModuleNameError
        from bmc_hub_core.names import validate_name
    except ImportError:
        sys.stderr.write(
            "error: this template needs bmc-hub-core installed in the same environment; "
            "run `pip install bmc-hub-core` and use `bmc-hub modules new NAME`\n"
        )
        return 1
    try:
        validate_name(NAME)
    except ModuleNameError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
