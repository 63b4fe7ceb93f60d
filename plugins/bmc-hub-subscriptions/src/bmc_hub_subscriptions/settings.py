"""``MODULES__SUBSCRIPTIONS__*`` settings."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from bmc_hub_core import ModuleSettings

#: ISO 4217 alphabetic codes are three upper-case letters (``DKK``, ``EUR``, ``SEK``).
CURRENCY_PATTERN = r"^[A-Z]{3}$"

Currency = Annotated[
    str,
    Field(
        pattern=CURRENCY_PATTERN,
        description="ISO 4217 currency code: three upper-case letters, e.g. DKK",
        examples=["DKK"],
    ),
]


class SubscriptionsSettings(ModuleSettings):
    """The module's settings, next to the core's ``read_only`` and ``dry_run`` switches."""

    #: ``MODULES__SUBSCRIPTIONS__DEFAULT_CURRENCY``: used when a subscription (or an
    #: imported row) names no currency.
    default_currency: Currency = "DKK"
    #: ``MODULES__SUBSCRIPTIONS__IMPORT_MAX_BYTES``: the largest file ``POST /import``
    #: accepts (413 above it).
    import_max_bytes: Annotated[int, Field(ge=1_000, le=100_000_000)] = 5_000_000
