"""The JSON shapes: the registry's answer (the contract the module reads) and the API's."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from bmc_hub_core import Text, UtcDateTime

from .number import PATTERN

CvrNumber = Annotated[str, Field(pattern=PATTERN, examples=["12345674"])]


class RegistryCompany(BaseModel):
    """What ``GET {api_url}/{cvr}`` must answer (200, a JSON object). Surrounding
    whitespace is dropped; other keys are allowed, ignored here and kept in ``raw``."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, strict=True)

    cvr: CvrNumber
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    address: Annotated[Text, Field(max_length=200)] | None = None
    zipcode: Annotated[Text, Field(max_length=10)] | None = None
    city: Annotated[Text, Field(max_length=100)] | None = None
    status: Annotated[Text, Field(min_length=1, max_length=40)]


class Company(BaseModel):
    """A cached company; ``fetched_at`` is when the registry answered (UTC)."""

    cvr: CvrNumber
    name: str
    address: str | None
    zipcode: str | None
    city: str | None
    status: str = Field(examples=["active"])
    fetched_at: UtcDateTime


class Lookup(Company):
    """A lookup's answer: the company, and whether it came from the cache or the
    registry (under DRY_RUN a registry answer is shown but not cached)."""

    source: Literal["cache", "registry"]


class CompanyPage(BaseModel):
    items: list[Company]
    total: int = Field(description="how many companies are cached in all")
    limit: int
    offset: int


class Queued(BaseModel):
    """A queued run of the ``refresh`` job; ``bmc-hub worker`` runs it."""

    run_id: int
    job: Literal["cvr.refresh"] = "cvr.refresh"
    cvr: CvrNumber
