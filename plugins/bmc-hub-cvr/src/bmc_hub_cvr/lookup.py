"""One lookup: from the cache while it is fresh, else from the registry (then cached)."""

from __future__ import annotations

import datetime as dt

from bmc_hub_core import ModuleContext

from . import registry, store
from .schemas import Company, Lookup
from .settings import cvr_settings


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def is_fresh(company: Company, now: dt.datetime, cache_hours: float) -> bool:
    return company.fetched_at > now - dt.timedelta(hours=cache_hours)


def cached(module: ModuleContext, cvr: str) -> Company | None:
    with module.session() as session:
        return store.get(session, cvr)


def lookup(module: ModuleContext, cvr: str) -> Lookup:
    """The company with number ``cvr``; raises a :class:`~.errors.CvrError` when the
    registry must be asked and does not answer with it. Under DRY_RUN the registry is
    asked (a GET) and its answer returned, but the cache write is not kept."""
    company = cached(module, cvr)
    if company is not None and is_fresh(company, utcnow(), cvr_settings(module).cache_hours):
        return Lookup(**company.model_dump(), source="cache")
    return Lookup(**refresh(module, cvr).model_dump(), source="registry")


def refresh(module: ModuleContext, cvr: str) -> Company:
    """Ask the registry, whatever the cache holds, and store the answer."""
    answer = registry.fetch(module, cvr)
    with module.transaction() as session:
        return store.put(session, answer, utcnow())
