"""The module's settings, from ``MODULES__CVR__*`` variables."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr, field_validator

from bmc_hub_core import ModuleContext, ModuleSettings

#: A loopback placeholder: nothing answers there until you point ``api_url`` at your
#: registry (or a proxy in front of it). It is never a public service by accident.
DEFAULT_API_URL = "http://127.0.0.1:8765/cvr"


class CvrSettings(ModuleSettings):
    """Settings of ``cvr``, validated by the hub at startup.

    Inherited from the core: ``read_only`` (default true: the hub answers the POST routes
    with 403 and the jobs refuse to run) and ``dry_run`` (default true: lookups are sent
    and answered, but nothing is cached).
    """

    #: ``MODULES__CVR__API_URL``: the registry's base URL; a company is ``GET
    #: {api_url}/{cvr}`` (see the README for the JSON it must answer).
    api_url: str = DEFAULT_API_URL
    #: ``MODULES__CVR__API_TOKEN``: sent as ``Authorization: Bearer <token>`` when set.
    api_token: SecretStr | None = None
    #: ``MODULES__CVR__CACHE_HOURS``: how long a looked-up company counts as fresh; a
    #: lookup or the nightly job fetches it again after that. 0: always fetch.
    cache_hours: Annotated[float, Field(ge=0, le=24 * 365)] = 24
    #: ``MODULES__CVR__BATCH_SIZE``: the nightly job fetches this many companies, then
    #: stores them in one transaction, then goes on with the next batch.
    batch_size: Annotated[int, Field(ge=1, le=1000)] = 50
    #: ``MODULES__CVR__TIMEOUT_SECONDS``: how long one registry request may take (the
    #: whole request; connecting is limited to 5 s at most).
    timeout_seconds: Annotated[float, Field(gt=0, le=60)] = 10

    @field_validator("api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")) or len(value) <= len("https://"):
            raise ValueError("must be an http:// or https:// URL, e.g. https://cvr.example/api")
        return value


def cvr_settings(module: ModuleContext) -> CvrSettings:
    """``module.settings``, typed: the hub fills it from ``register_settings``' class."""
    settings = module.settings
    assert isinstance(settings, CvrSettings)
    return settings
